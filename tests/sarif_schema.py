"""The official SARIF 2.1.0 schema, for the tests that validate SARIF logs.

The schema is OASIS data kept in the project's shared folder (../shared/sarif), never in
the repository, so a user's clone has no schema: the tests then skip, saying why.
"""

import json
import os


def validator(schema_path):
    """(jsonschema Draft4 validator, None), or (None, the reason to skip)."""
    if not os.path.isfile(schema_path):
        return None, ("the SARIF 2.1.0 schema is not at %s (only the project's shared folder "
                      "has it; it is not shipped in the repository)" % schema_path)
    try:
        import jsonschema
    except ImportError:
        return None, "python3-jsonschema is not installed (apt-get install python3-jsonschema)"
    with open(schema_path, encoding="utf-8") as f:
        return jsonschema.Draft4Validator(json.load(f)), None
