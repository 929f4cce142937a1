"""The protocol of the checkers the Swift tests run (PythonTools.runJobs in Tests/TestSupport): a
JSON list of jobs on stdin, each with an "id" and a "kind"; one JSON result per job on stdout,
carrying the job's id. A job that raises is reported with "error", never hidden."""
import json
import sys


def serve(handlers):
    """Runs each job with the handler for its kind."""
    for job in json.load(sys.stdin):
        try:
            result = handlers[job["kind"]](job)
        except Exception as error:  # report, never hide: the Swift test fails on "error"
            result = {"error": f"{type(error).__name__}: {error}"}
        result["id"] = job["id"]
        print(json.dumps(result, ensure_ascii=False), flush=True)
