"""Validates SARIF files against a JSON schema: validate_sarif.py SCHEMA FILE...

Used by tests/lint.rs. The validator is PyPI's `jsonschema` (pinned by
scripts/install-test-tools.sh into .tools/python); the schema says Draft 7.
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
bad = 0
for path in sys.argv[2:]:
    for err in validator.iter_errors(json.load(open(path))):
        bad += 1
        print(f"{path}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
print(f"{len(sys.argv) - 2} SARIF files, {bad} errors")
sys.exit(1 if bad else 0)
