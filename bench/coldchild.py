"""One cold start, run as a fresh process: import, serve one request, report the times."""

import json
import sys
import time

STARTED = time.monotonic()
MODE, SPEC = sys.argv[1], sys.argv[2]


def _function(spec: dict, marks: dict) -> int:
    """Load main.py as functions-framework does and serve the first request."""
    import functions_framework

    marks["framework"] = time.monotonic()
    app = functions_framework.create_app(target=spec["name"], source=spec["source"],
                                         signature_type=spec["signature"])
    marks["main"] = time.monotonic()
    response = app.test_client().open(spec["path"], method=spec["method"],
                                      headers=spec["headers"], data=spec["body"])
    return response.status_code


def _libraries(spec: dict) -> int:
    """Import only the client libraries of the function's dependency groups."""
    import importlib

    for module in spec["modules"]:
        importlib.import_module(module)
    return 0


def main() -> None:
    """Run the mode (function or libraries), stamp the time, then report."""
    marks = {"started": STARTED}
    status = 0
    if MODE == "function":
        status = _function(json.loads(SPEC), marks)
    elif MODE == "libraries":
        status = _libraries(json.loads(SPEC))
    marks["done"] = time.monotonic()
    report = {"marks": marks, "status": status, "modules": sorted(sys.modules)}
    sys.stdout.write("\nBENCH-RESULT " + json.dumps(report) + "\n")
    sys.stdout.flush()


main()
