{#- What the package and the CLI must agree on: the declaration's keys, kinds, choices, name rules and
    messages, the settings' defaults and the warehouses' type names. Generated from the CLI's
    src/statsig_sources/core/contract.json; regenerate with `.venv/bin/cog -r macros/utils/_statsig_contract.sql`
    (the test suite fails when it is stale). -#}
{% macro _statsig_contract() %}
{#- [[[cog
import cog, pprint
from statsig_sources.core.contract import contract
described = {key: value for key, value in contract().items() if key != "about"}
literal = pprint.pformat(described, width=106, sort_dicts=False)
cog.outl("{{ return(" + literal.replace("\n", "\n" + " " * 10) + ") }}")
]]] -#}
{{ return({'declaration': {'keys': {'source_name': {'kind': 'text'},
                                    'granularity': {'kind': 'choice',
                                                    'required': True,
                                                    'choices': ['event_log', 'daily_fact', 'daily_aggregate']},
                                    'unit_ids': {'kind': 'unit_ids', 'required': True},
                                    'timestamp': {'kind': 'text', 'required': True},
                                    'value': {'kind': 'text'},
                                    'measures': {'kind': 'expressions', 'output_names': True},
                                    'dimensions': {'kind': 'text_list', 'output_names': True},
                                    'filter': {'kind': 'text'},
                                    'description': {'kind': 'text'},
                                    'owner': {'kind': 'text'},
                                    'tags': {'kind': 'text_list'},
                                    'source_type': {'kind': 'choice', 'choices': ['query', 'table']},
                                    'sql': {'kind': 'text'},
                                    'custom_fields': {'kind': 'expressions'},
                                    'timestamp_type': {'kind': 'choice',
                                                       'choices': ['offset_aware', 'naive', 'date']},
                                    'materialized': {'kind': 'choice',
                                                     'choices': ['view', 'table', 'incremental']}},
                           'unit_id_keys': {'unit_type': {'kind': 'text', 'required': True},
                                            'expression': {'kind': 'text'}},
                           'output_name_pattern': '[a-z_][a-z0-9_]*',
                           'reserved_output_names': ['timestamp', 'value'],
                           'source_name_pattern': '[A-Za-z0-9]([A-Za-z0-9_ -]*[A-Za-z0-9_-])?',
                           'source_name_max_length': 100,
                           'built_in_unit_types': ['userID', 'stableID'],
                           'reserved_tag_prefix': 'managed-by:statsig-sources',
                           'exclusive': [{'key': 'sql', 'other': 'source_type', 'value': 'table'}],
                           'messages': {'not_mapping': '{path} must be a mapping, not {type}',
                                        'unknown_key': '{path} is not a known key (allowed: {allowed})',
                                        'missing': '{path} is required',
                                        'not_text': '{path} must be a non-empty string, not {type}',
                                        'not_choice': '{path} must be one of {choices}, not `{value}`',
                                        'not_text_list': '{path} must be a list of non-empty strings, not {type}',
                                        'not_expressions': '{path} must be a mapping of name to SQL expression, '
                                                           'not {type}',
                                        'blank_expression': '{path} must be a non-empty SQL expression, not {type}',
                                        'no_unit_ids': '{path} must map at least one column to a Statsig unit type',
                                        'unknown_unit_type': '{path} has unknown unit type `{value}` (known: '
                                                             '{known}; list custom unit types in the var '
                                                             'statsig_custom_unit_types)',
                                        'not_output_name': '{path} is not a lower-case identifier ({pattern})',
                                        'reserved_output_name': '{path} takes a name the package reserves for its '
                                                                'own canonical column',
                                        'duplicate_output_name': '{path} names output column `{value}`, which '
                                                                 'another unit id, measure or dimension already '
                                                                 'names',
                                        'bad_source_name': '{path} `{value}` is not a name Statsig accepts: a '
                                                           'letter or digit, then letters, digits, `_`, `-` or '
                                                           'spaces, at most {max} characters{hint}',
                                        'model_name_hint': " (it is the model's name; set "
                                                           'meta.statsig.source_name)',
                                        'exclusive': '{path} cannot be used with {other} `{value}`',
                                        'reserved_tag': '{path}: `{value}` looks like an ownership marker (tags '
                                                        'starting `{prefix}` are reserved for the CLI): remove it'},
                           'type_names': {'none': 'null',
                                          'blank': 'a blank string',
                                          'boolean': 'a boolean',
                                          'number': 'a number',
                                          'string': 'a string',
                                          'mapping': 'a mapping',
                                          'list': 'a list',
                                          'other': 'a value'}},
           'materialization': {'default': 'view',
                               'messages': {'folder': 'set `+materialized: {wanted}` on the folder of '
                                                      'metric-source models in dbt_project.yml',
                                            'not_allowed': "is materialized '{resolved}', which is not one of "
                                                           '{allowed}: {folder}',
                                            'not_opted_in': "is materialized '{resolved}', but a metric source is "
                                                            'a view unless its declaration opts in: {folder}, or '
                                                            'declare meta.statsig.materialized: {resolved}',
                                            'mismatch': 'declares meta.statsig.materialized: {declared}, but is '
                                                        "materialized '{resolved}': set `materialized: {declared}` "
                                                        'in its config, or change the declaration'}},
           'settings': {'statsig_schema': 'statsig_staging',
                        'statsig_production_targets': ['prod'],
                        'statsig_reader_roles': ['statsig_reader'],
                        'statsig_custom_unit_types': [],
                        'statsig_future_tolerance_minutes': 60},
           'recorded': {'meta_key': 'statsig_sources',
                        'settings': ['statsig_schema',
                                     'statsig_production_targets',
                                     'statsig_reader_roles',
                                     'statsig_custom_unit_types']},
           'warehouses': {'without_grants': ['duckdb', 'spark'],
                          'type_families': {'string': ['text',
                                                       'string',
                                                       'varchar',
                                                       'character varying',
                                                       'character',
                                                       'char',
                                                       'nvarchar'],
                                            'double': ['double precision', 'double', 'float8', 'float64'],
                                            'date': ['date'],
                                            'timestamp_tz': ['timestamptz',
                                                             'timestamp_tz',
                                                             'timestamp_ltz',
                                                             'datetimetz'],
                                            'timestamp': ['datetime']},
                          'timestamp_tz_marker': 'with time zone',
                          'timestamp_prefix': 'timestamp',
                          'extra_doubles': {'snowflake': ['float', 'float4', 'real'], 'bigquery': ['float']}}}) }}
{#- [[[end]]] -#}
{% endmacro %}
