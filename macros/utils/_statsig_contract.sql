{#- What the package and the CLI must agree on: the declaration's keys, kinds, choices, name rules and
    messages, the settings' defaults and the rules their values must meet per adapter (`access`), and the
    warehouses' type names. Generated from the CLI's
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
                                    'materialized': {'kind': 'choice', 'choices': ['view', 'table', 'incremental']},
                                    'metrics': {'kind': 'mappings'}},
                           'unit_id_keys': {'unit_type': {'kind': 'text', 'required': True},
                                            'expression': {'kind': 'text'}},
                           'output_name_pattern': '[a-z_][a-z0-9_]*',
                           'reserved_output_names': ['timestamp', 'value'],
                           'source_name_pattern': '[A-Za-z0-9]([A-Za-z0-9_ -]*[A-Za-z0-9_-])?',
                           'source_name_max_length': 100,
                           'built_in_unit_types': ['userID', 'stableID'],
                           'reserved_tag_prefix': 'managed-by:statsig-sources',
                           'exclusive': [{'key': 'sql', 'other': 'source_type', 'value': 'table'}],
                           'metrics': {'keys': {'name': {'kind': 'text', 'required': True},
                                                'aggregation': {'kind': 'choice',
                                                                'required': True,
                                                                'choices': ['count',
                                                                            'count_distinct',
                                                                            'sum',
                                                                            'mean',
                                                                            'max',
                                                                            'min',
                                                                            'percentile',
                                                                            'ratio'],
                                                                'unsupported': ['daily_participation',
                                                                                'funnel',
                                                                                'first_value',
                                                                                'latest_value',
                                                                                'retention']},
                                                'numerator_aggregation': {'kind': 'choice',
                                                                          'choices': ['count',
                                                                                      'count_distinct',
                                                                                      'sum']},
                                                'value_column': {'kind': 'text'},
                                                'percentile': {'kind': 'percentile'},
                                                'criteria': {'kind': 'mappings'},
                                                'dimensions': {'kind': 'text_list'},
                                                'denominator': {'kind': 'mapping'},
                                                'directionality': {'kind': 'choice',
                                                                   'choices': ['increase', 'decrease']},
                                                'unit_types': {'kind': 'text_list'},
                                                'description': {'kind': 'text'},
                                                'owner': {'kind': 'text'},
                                                'tags': {'kind': 'text_list'}},
                                       'needs': [{'key': 'aggregation',
                                                  'keys': {'count': [],
                                                           'count_distinct': ['value_column'],
                                                           'sum': ['value_column'],
                                                           'mean': ['value_column'],
                                                           'max': ['value_column'],
                                                           'min': ['value_column'],
                                                           'percentile': ['value_column', 'percentile'],
                                                           'ratio': ['numerator_aggregation', 'denominator']}},
                                                 {'key': 'numerator_aggregation',
                                                  'keys': {'count': [],
                                                           'count_distinct': ['value_column'],
                                                           'sum': ['value_column']}}],
                                       'denominator_keys': {'source': {'kind': 'text', 'required': True},
                                                            'aggregation': {'kind': 'choice',
                                                                            'required': True,
                                                                            'choices': ['count',
                                                                                        'count_distinct',
                                                                                        'sum']},
                                                            'value_column': {'kind': 'text'},
                                                            'criteria': {'kind': 'mappings'}},
                                       'denominator_needs': [{'key': 'aggregation',
                                                              'keys': {'count': [],
                                                                       'count_distinct': ['value_column'],
                                                                       'sum': ['value_column']}}],
                                       'criterion_keys': {'column': {'kind': 'text'},
                                                          'condition': {'kind': 'choice',
                                                                        'required': True,
                                                                        'choices': ['in',
                                                                                    'not_in',
                                                                                    '=',
                                                                                    '>',
                                                                                    '<',
                                                                                    '>=',
                                                                                    '<=',
                                                                                    'contains',
                                                                                    'not_contains',
                                                                                    'starts_with',
                                                                                    'ends_with',
                                                                                    'is_null',
                                                                                    'non_null',
                                                                                    'is_true',
                                                                                    'is_false',
                                                                                    'sql_filter']},
                                                          'values': {'kind': 'values'},
                                                          'sql': {'kind': 'text'}},
                                       'criterion_needs': [{'key': 'condition',
                                                            'keys': {'in': ['column', 'values'],
                                                                     'not_in': ['column', 'values'],
                                                                     '=': ['column', 'values'],
                                                                     '>': ['column', 'values'],
                                                                     '<': ['column', 'values'],
                                                                     '>=': ['column', 'values'],
                                                                     '<=': ['column', 'values'],
                                                                     'contains': ['column', 'values'],
                                                                     'not_contains': ['column', 'values'],
                                                                     'starts_with': ['column', 'values'],
                                                                     'ends_with': ['column', 'values'],
                                                                     'is_null': ['column'],
                                                                     'non_null': ['column'],
                                                                     'is_true': ['column'],
                                                                     'is_false': ['column'],
                                                                     'sql_filter': ['sql']}}],
                                       'name_pattern': '[a-zA-Z0-9_.\\-()/ %:]*',
                                       'name_min_length': 4,
                                       'name_max_length': 200,
                                       'percentile_bounds': [0, 100],
                                       'metric_type': 'user_warehouse',
                                       'criterion_type': 'metadata'},
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
                                                        'starting `{prefix}` are reserved for the CLI): remove it',
                                        'not_mappings': '{path} must be a list of mappings, not {type}',
                                        'unsupported_choice': '{path} `{value}` is a Statsig choice this package '
                                                              'does not declare (supported: {choices})',
                                        'not_percentile': '{path} must be a number above {low} and below {high}, '
                                                          'not `{value}`',
                                        'not_values': '{path} must be a list of strings or numbers, not {type}',
                                        'needed': '{path} is required with {key} `{value}`',
                                        'unused': '{path} is not used with {key} `{value}`: remove it',
                                        'bad_metric_name': '{path} `{value}` is not a metric name Statsig accepts: '
                                                           '{min} to {max} letters, digits, spaces or `_ . - ( ) / '
                                                           '% :`',
                                        'duplicate_metric_name': '{path} `{value}` names another metric of this '
                                                                 'source already',
                                        'not_a_column': '{path} `{value}` is not a column of this source (its '
                                                        'columns: {columns})',
                                        'not_source_unit_type': '{path} `{value}` is not a unit type of this '
                                                                'source (its unit types: {known})'},
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
                        'statsig_non_production_reader_roles': [],
                        'statsig_custom_unit_types': [],
                        'statsig_future_tolerance_minutes': 60},
           'access': {'settings': {'statsig_schema': 'schema',
                                   'statsig_reader_roles': 'role',
                                   'statsig_non_production_reader_roles': 'role'},
                      'whole_numbers': ['statsig_future_tolerance_minutes'],
                      'whole_number_pattern': '[0-9]{1,9}',
                      'adapters': {'default': {'schema': {'pattern': '[A-Za-z_][A-Za-z0-9_]{0,62}',
                                                          'rule': 'letters, digits and `_`, starting with a letter '
                                                                  'or `_`; at most 63 characters'},
                                               'role': {'pattern': '[A-Za-z_][A-Za-z0-9_$]{0,62}',
                                                        'rule': 'an unquoted identifier (letters, digits, `_` and '
                                                                '`$`, starting with a letter or `_`; at most 63 '
                                                                "characters), since dbt's grants config writes the "
                                                                'role unquoted'},
                                               'everyone': [{'pattern': 'public',
                                                             'who': 'PUBLIC, everyone on the warehouses that have '
                                                                    'it (refused on every adapter, so that the '
                                                                    'vars mean the same on each target)'}],
                                               'quote': '"',
                                               'read_privilege': 'select'},
                                   'postgres': {'role': {'pattern': '[a-z_][a-z0-9_$]{0,62}',
                                                         'rule': 'a lower-case unquoted identifier (lower-case '
                                                                 'letters, digits, `_` and `$`, starting with a '
                                                                 'letter or `_`; at most 63 characters), since '
                                                                 "dbt's grants config writes the role unquoted and "
                                                                 'PostgreSQL folds an unquoted name to lower case'},
                                                'everyone': [{'pattern': 'public',
                                                              'who': 'PUBLIC, every role there is and every role '
                                                                     'created later'}]},
                                   'redshift': {'schema': {'pattern': '[A-Za-z_][A-Za-z0-9_]{0,126}',
                                                           'rule': 'letters, digits and `_`, starting with a '
                                                                   'letter or `_`; at most 127 characters'},
                                                'role': {'pattern': '((group|role) )?[a-z_][a-z0-9_$]{0,126}',
                                                         'rule': 'a lower-case unquoted identifier (lower-case '
                                                                 'letters, digits, `_` and `$`, starting with a '
                                                                 'letter or `_`; at most 127 characters), '
                                                                 'optionally after `group ` for a user group or '
                                                                 "`role ` for a role, since dbt's grants config "
                                                                 'writes it unquoted and Redshift folds an '
                                                                 'unquoted name to lower case'},
                                                'everyone': [{'pattern': '((group|role) )?public',
                                                              'who': 'PUBLIC, every user there is and every user '
                                                                     'created later'}]},
                                   'snowflake': {'schema': {'pattern': '[A-Za-z_][A-Za-z0-9_$]{0,254}',
                                                            'rule': 'an unquoted identifier (letters, digits, `_` '
                                                                    'and `$`, starting with a letter or `_`; at '
                                                                    'most 255 characters)'},
                                                 'role': {'pattern': '[A-Za-z_][A-Za-z0-9_$]{0,254}',
                                                          'rule': 'an unquoted identifier (letters, digits, `_` '
                                                                  'and `$`, starting with a letter or `_`; at most '
                                                                  "255 characters), since dbt's grants config "
                                                                  'writes the role unquoted'},
                                                 'everyone': [{'pattern': 'public',
                                                               'who': 'PUBLIC, the role every user and every role '
                                                                      'is granted'}]},
                                   'databricks': {'schema': {'pattern': '[A-Za-z0-9_]{1,255}',
                                                             'rule': 'letters, digits and `_`; at most 255 '
                                                                     'characters'},
                                                  'role': {'pattern': '[A-Za-z0-9_]([A-Za-z0-9_.@+ '
                                                                      '-]{0,253}[A-Za-z0-9_.@+-])?',
                                                           'rule': "a user's email, a service principal's "
                                                                   "application ID or a group's name (letters, "
                                                                   'digits, spaces and `_ . @ + -`, starting with '
                                                                   'a letter, a digit or `_` and not ending with a '
                                                                   'space; at most 255 characters), since dbt '
                                                                   'writes it between backquotes it cannot escape'},
                                                  'everyone': [{'pattern': 'users',
                                                                'who': '`users`, the workspace group every user '
                                                                       'belongs to'},
                                                               {'pattern': 'account users',
                                                                'who': '`account users`, the account group every '
                                                                       'user belongs to'}],
                                                  'quote': '`'},
                                   'spark': {'schema': {'pattern': '[A-Za-z0-9_]{1,255}',
                                                        'rule': 'letters, digits and `_`; at most 255 characters'},
                                             'quote': '`'},
                                   'bigquery': {'schema': {'pattern': '[A-Za-z0-9_]{1,1024}',
                                                           'rule': 'a dataset name (letters, digits and `_`; at '
                                                                   'most 1,024 characters)'},
                                                'role': {'pattern': '(user|group|serviceAccount):[A-Za-z0-9_.%+-]{1,64}@[A-Za-z0-9.-]{1,253}',
                                                         'rule': 'an IAM member (`user:`, `group:` or '
                                                                 '`serviceAccount:`, then an email address), since '
                                                                 "dbt's grants config writes it between double "
                                                                 'quotes it cannot escape'},
                                                'everyone': [{'pattern': '(specialgroup:)?allusers',
                                                              'who': 'allUsers, anyone on the internet'},
                                                             {'pattern': '(specialgroup:)?allauthenticatedusers',
                                                              'who': 'allAuthenticatedUsers, every Google account'},
                                                             {'pattern': 'domain:.*',
                                                              'who': 'a whole Google Workspace domain, every '
                                                                     'account in it'}],
                                                'quote': '`',
                                                'read_privilege': 'roles/bigquery.dataViewer'},
                                   'trino': {'schema': {'pattern': '[A-Za-z_][A-Za-z0-9_]{0,254}',
                                                        'rule': 'letters, digits and `_`, starting with a letter '
                                                                'or `_`; at most 255 characters'},
                                             'role': {'pattern': '[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,254}',
                                                      'rule': 'a user name (letters, digits and `_ . @ + -`, '
                                                              'starting with a letter, a digit or `_`; at most 255 '
                                                              'characters), since dbt writes it between double '
                                                              'quotes it cannot escape'},
                                             'everyone': [{'pattern': 'public', 'who': 'PUBLIC, every user'}]}},
                      'messages': {'not_text': '{path} must be a non-empty string, not {type}',
                                   'not_text_list': '{path} must be a list of non-empty strings, not {type}',
                                   'not_whole_number': '{path} must be a whole number of minutes, not {value}',
                                   'bad_name': '{path} has {value}, which is not a {kind} name the package accepts '
                                               'on {adapter}: {rule}',
                                   'everyone': '{path} has {value}, which on {adapter} is {who}: granting it would '
                                               'let everyone read the governed schema; list only the role(s) '
                                               'Statsig connects as'}},
           'recorded': {'meta_key': 'statsig_sources',
                        'version_key': 'package_version',
                        'settings': ['statsig_schema',
                                     'statsig_production_targets',
                                     'statsig_reader_roles',
                                     'statsig_non_production_reader_roles',
                                     'statsig_custom_unit_types'],
                        'version': '0.2.0'},
           'target_grants': {'production': 'statsig_reader_roles',
                             'other_targets': 'statsig_non_production_reader_roles',
                             'recorded_as': 'granted_roles'},
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
