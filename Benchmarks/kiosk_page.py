#!/usr/bin/env python3
"""The kiosk page as an attendee meets it, in Debian's Chromium (headless, Selenium), against a
release `lanyard agent` printing to `lanyard printer-sim` over TCP, with the 1,200-record
fixture imported (about a thousand attendees).

Measured:
  first page load   navigation start -> the page ready for a scan (its `lanyard:ready` mark),
                    cache disabled, 10 loads
  page weight       bytes the first load transfers (the page and every asset it loads)
  scan -> accepted  the scanner's Enter -> the check-in answered with the job (marks
                    `lanyard:scan` and `lanyard:accepted` in the page), one scan per attendee
  scan -> preview   Enter -> the badge preview decoded and painted (`lanyard:preview`)
  agent idle RSS    VmRSS of the agent at rest, 5 s after the page's loads (the target), and
                    5 s after the last scan (reported)
  staff pages       the operator's and the technician's page, signed in: first load to their
                    `lanyard:ready` mark (their data drawn) and weight, against the same targets

Exits 1 when a target is missed. Usage:
  Benchmarks/kiosk_page.py --lanyard .build/release/lanyard [--scans 40]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Tools"))

TARGETS = {"first_load_ms": 1000.0, "page_weight_kb": 200.0, "accepted_p95_ms": 100.0, "preview_p95_ms": 300.0,
           "idle_rss_mb": 40.0}


def memory(pid):
    """(VmRSS, RssAnon, RssFile) in MB, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["RssAnon"], fields["RssFile"]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


STAFF_PIN = "602913"


def measure_loads(open_page, driver, count=10):
    """`count` first loads, cache off: ([ms to the page's `lanyard:ready` mark], bytes of the last)."""
    loads, weight = [], 0
    for _ in range(count):
        open_page()
        loads.append(driver.execute_script("return performance.getEntriesByName('lanyard:ready')[0].startTime"))
        weight = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return performance.getEntriesByType('resource').reduce((sum, e) => sum + e.transferSize, n.transferSize)")
    return loads, weight


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lanyard", required=True)
    parser.add_argument("--scans", type=int, default=40)
    args = parser.parse_args()
    os.environ["LANYARD_BIN"] = os.path.abspath(args.lanyard)

    from agent_harness import Agent, Client, PrinterSim, Workspace, agent_config, attendee_id
    from browser_harness import StaffPage, browser, pin_hash
    from kiosk_browser import Kiosk, ticket

    fixture = os.path.join(ROOT, "Tests", "BadgesTests", "Fixtures", "registrations.jsonl")
    with Workspace("lanyard-kiosk-bench-") as directory:
        sim = PrinterSim(os.path.join(directory, "labels"))
        staff = [{"name": "bench", "role": "admin", "pin_hash": pin_hash(STAFF_PIN)}]
        agent = Agent(directory, agent_config(sim.address, staff=staff))
        subprocess.run([args.lanyard, "import", "--data", agent.data, "--attendees", fixture],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        driver = None
        try:
            agent.start()
            client = Client(agent.port)
            driver = browser()
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            url = f"http://127.0.0.1:{agent.port}/"
            kiosk = Kiosk(driver, url, None)
            loads, weight = measure_loads(kiosk.open, driver)

            time.sleep(5)
            rest, rest_anon, rest_file = memory(agent.pid)
            people = []
            with open(fixture) as file:
                for line in file:
                    record = json.loads(line)
                    if "_defect" in record or not record.get("source_id"):
                        continue
                    identifier = attendee_id(record["source"], record["source_id"])
                    status, _, body = client.request("GET", f"/v1/kiosk/attendees/{identifier}")
                    if status == 200:
                        people.append((identifier, body["access_tier"]))
                    if len(people) == args.scans:
                        break
            accepted, preview = [], []
            for identifier, tier in people:
                driver.execute_script("performance.clearMarks()")
                kiosk.scan(ticket(identifier, tier))
                kiosk.wait(lambda d: d.execute_script(
                    "return performance.getEntriesByName('lanyard:preview').length > 0"), "the preview")
                marks = driver.execute_script(
                    "return Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))")
                accepted.append(marks["lanyard:accepted"] - marks["lanyard:scan"])
                preview.append(marks["lanyard:preview"] - marks["lanyard:scan"])
                kiosk.await_state("printed", timeout=30)
                driver.find_element("id", "restart").click()
                kiosk.await_state("idle")
            time.sleep(5)
            after, after_anon, after_file = memory(agent.pid)

            staff_pages = {}
            for path in ("/operator", "/technician"):
                page = StaffPage(driver, f"http://127.0.0.1:{agent.port}{path}", None)
                page.open()
                if not page.visible("staff-content"):
                    page.sign_in("bench", STAFF_PIN)
                    page.wait(lambda d: page.visible("staff-content"), f"{path} after signing in")

                def open_page(page=page):
                    driver.get(page.url)
                    page.wait(lambda d: d.execute_script("return performance.getEntriesByName('lanyard:ready').length > 0"),
                              f"{path} ready")
                staff_pages[path] = measure_loads(open_page, driver)
        finally:
            if driver is not None:
                driver.quit()
            agent.stop()
            sim.stop()

    results = {
        "first_load_ms": percentile(loads, 0.95), "page_weight_kb": weight / 1024,
        "accepted_p95_ms": percentile(accepted, 0.95), "preview_p95_ms": percentile(preview, 0.95), "idle_rss_mb": rest,
    }
    print(f"kiosk page: {len(loads)} loads, {len(accepted)} scans of distinct attendees, release agent on a TCP printer")
    print(f"first load p50 {statistics.median(loads):.0f} ms, p95 {results['first_load_ms']:.0f} ms; "
          f"page weight {results['page_weight_kb']:.1f} KB")
    print(f"scan -> accepted p50 {statistics.median(accepted):.1f} ms, p95 {results['accepted_p95_ms']:.1f} ms; "
          f"scan -> preview painted p50 {statistics.median(preview):.1f} ms, p95 {results['preview_p95_ms']:.1f} ms")
    print(f"agent RSS at rest with the page loaded: {rest:.1f} MB (anonymous {rest_anon:.1f}, file-backed {rest_file:.1f}); "
          f"5 s after the scans: {after:.1f} MB (anonymous {after_anon:.1f}, file-backed {after_file:.1f})")
    for path, (page_loads, page_weight) in staff_pages.items():
        results[f"{path[1:]}_first_load_ms"] = percentile(page_loads, 0.95)
        results[f"{path[1:]}_weight_kb"] = page_weight / 1024
        print(f"{path} (signed in): first load p50 {statistics.median(page_loads):.0f} ms, "
              f"p95 {percentile(page_loads, 0.95):.0f} ms; weight {page_weight / 1024:.1f} KB")
    bounds = dict(TARGETS)
    for path in staff_pages:
        bounds[f"{path[1:]}_first_load_ms"] = TARGETS["first_load_ms"]
        bounds[f"{path[1:]}_weight_kb"] = TARGETS["page_weight_kb"]
    missed = [name for name, bound in bounds.items() if results[name] > bound]
    for name, bound in bounds.items():
        print(f"  {name:<26} {results[name]:>8.1f}  target <= {bound:g}  {'missed' if name in missed else 'met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
