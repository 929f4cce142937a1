"""The scan-quality loop end to end, in a real browser (Debian's Chromium through Selenium) against
the real `lanyard agent` printing to `lanyard printer-sim` over TCP (docs/agent.md, "Scan quality").

- Badges print; their QR codes are read back from the simulator's labels with zxing-cpp, and the
  module size (dots) of each is measured there.
- Reads are typed into the kiosk page as a keyboard-wedge scanner types them: scans of the printed
  badges, and garbled ones (`|` typed as `<`, and as `#` with y and z swapped). A garbled read among
  fewer reads than the window's minimum changes nothing; the read that brings the window to its
  minimum with failures past 2 % raises the printer's QR module floor, once.
- The adjustment and its audit entry are in the API and the agent's database; the operator's page
  shows it awaiting review, the technician's page shows it with Keep and Revert (axe-core clean on
  both, screenshots kept).
- The next badges come out with the larger module, and still decode to their tickets; the
  technician reverts on the page: the tuning is back as it was, and the next badge's module is
  the one before.

Screenshots go to $LANYARD_KIOSK_SCREENSHOTS (docs/technician/ keeps a set).
"""
import glob
import json
import os
import sqlite3
import sys
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (  # noqa: E402
    Agent, Client, PrinterSim, ProofFailed, Workspace, agent_config, attendee_id, log, run_proof, wait_until_terminal,
)
from browser_harness import StaffPage, browser, pin_hash, screenshots_directory  # noqa: E402
from kiosk_browser import Kiosk, sample_attendees, ticket  # noqa: E402

ADMIN = "scan-quality-proof-admin-token"
TECHNICIAN, TECHNICIAN_PIN = "Tomás", "735104"
OPERATOR, OPERATOR_PIN = "Ana", "482913"
MINIMUM = 20


def symbol(path):
    """(text, module dots, version, level) of the one QR code on a label PNG the simulator wrote."""
    import zxingcpp
    from PIL import Image

    with Image.open(path) as image:
        results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    if len(results) != 1:
        raise ProofFailed(f"{os.path.basename(path)}: {len(results)} QR codes read, one expected")
    result = results[0]
    version = int(result.extra["Version"])
    corners = [result.position.top_left, result.position.top_right, result.position.bottom_right, result.position.bottom_left]
    xs = [corner.x for corner in corners]
    ys = [corner.y for corner in corners]
    # The corners bound the symbol without its quiet zone: 17 + 4 x version modules a side.
    side = min(max(xs) - min(xs), max(ys) - min(ys)) + 1
    return result.text, round(side / (17 + 4 * version)), version, result.ec_level


class Printed:
    """The simulator's labels, one new label at a time."""

    def __init__(self, sim):
        self.sim = sim
        self.seen = set(sim.labels())

    def next(self, page, what):
        page.wait(lambda d: set(self.sim.labels()) - self.seen, what, timeout=60)
        new = sorted(set(self.sim.labels()) - self.seen)
        self.seen |= set(new)
        return [os.path.join(self.sim.out, name) for name in new]


def main():
    staff = [{"name": TECHNICIAN, "role": "technician", "pin_hash": pin_hash(TECHNICIAN_PIN)},
             {"name": OPERATOR, "role": "operator", "pin_hash": pin_hash(OPERATOR_PIN)}]
    with Workspace("lanyard-scan-quality-") as directory:
        labels = os.path.join(directory, "labels")
        sim = PrinterSim(labels)
        agent = Agent(directory, agent_config(
            sim.address, admin_token=ADMIN, staff=staff,
            scan_quality={"window_seconds": 1800, "minimum_scans": MINIMUM, "failure_threshold": 0.02}))
        driver = None
        try:
            agent.start()
            client = Client(agent.port)
            admin = Client(agent.port, headers={"Authorization": f"Bearer {ADMIN}"})
            shots = screenshots_directory(directory)

            def quality():
                status, _, body = admin.request("GET", "/v1/operator/scan-quality")
                if status != 200:
                    raise ProofFailed(f"GET /v1/operator/scan-quality: {status} {body}")
                return body

            # Six attendees' tickets, one of them with a y or z in it (for the swapped layout).
            tickets = {}
            for person in sample_attendees()[:40]:
                identifier = attendee_id(person["source"], person["source_id"])
                status, _, known = client.request("GET", f"/v1/kiosk/attendees/{identifier}")
                if status == 200:
                    tickets[identifier] = ticket(identifier, known["access_tier"])
            swapped_id = next((i for i, t in tickets.items() if any(c in t for c in "yz")), None)
            if swapped_id is None or len(tickets) < 6:
                raise ProofFailed(f"six sample attendees, one with a y or z in the ticket, expected: {len(tickets)}")
            ids = [i for i in tickets if i != swapped_id][:4] + [swapped_id]
            fresh = next(i for i in tickets if i not in ids)
            tickets = {i: tickets[i] for i in ids + [fresh]}

            driver = browser()
            kiosk = Kiosk(driver, f"http://127.0.0.1:{agent.port}/", shots)
            printed = Printed(sim)

            # The badges, printed by request (no read counted), and the module they have now.
            jobs = {}
            for identifier in ids:
                status, _, body = client.request("POST", "/v1/badges", {"attendee_id": identifier})
                if status != 202:
                    raise ProofFailed(f"POST /v1/badges: {status} {body}")
                jobs[identifier] = body["id"]
            wait_until_terminal(client, list(jobs.values()), timeout=60)
            files = printed.next(kiosk, "the five badges at the printer")
            before = {}
            for path in files:
                text, module, version, level = symbol(path)
                before[text.split("|")[1]] = (text, module, version, level)
            text, module_before, version_before, level_before = before[swapped_id]
            if text != tickets[swapped_id]:
                raise ProofFailed(f"the badge's QR code is not the ticket: {text}")
            log(f"five badges printed; the QR code of the one scanned garbled has {module_before}-dot modules "
                f"(version {version_before}, level {level_before})")

            kiosk.open()
            reads = 0

            def read(text, what):
                nonlocal reads
                kiosk.scan(text)
                reads += 1
                kiosk.wait(lambda d: kiosk.state() == "error", what)
                kiosk.wait(lambda d: quality()["printers"][0]["counts"]["total"] + quality()["unattributed"]["total"] >= reads,
                           f"read {reads} counted")

            def rest():
                driver.find_element("id", "restart").click()
                kiosk.await_state("idle")

            def success(identifier):
                read(tickets[identifier], "the already-printed screen")
                kiosk.wait(lambda d: d.find_element("id", "badge").is_displayed(), "the badge's preview")
                rest()

            for identifier in ids[:4]:
                success(identifier)
            read(tickets[ids[0]].replace("|", "<"), "the garbled-read screen")
            if kiosk.text("heading") != "The scan came through garbled":
                raise ProofFailed(f"the page should keep its garbled-read screen: {kiosk.screen()}")
            kiosk.shoot("scan-quality-01-kiosk-garbled")
            rest()
            counts = quality()["printers"][0]["counts"]
            if (counts["total"], counts["garbled"]) != (5, 1) or quality()["printers"][0]["pending"]:
                raise ProofFailed(f"one garbled read of five: counted, and below the minimum nothing changes: {quality()}")
            log("a garbled read typed into the kiosk page is counted as garbled; 1 of 5 (20 %) is below the minimum: no change")

            while reads < MINIMUM - 1:
                success(ids[reads % len(ids)])
            if quality()["printers"][0]["pending"]:
                raise ProofFailed(f"19 reads are below the minimum of {MINIMUM}: {quality()}")
            garbled = tickets[swapped_id].translate(str.maketrans("yzYZ|", "zyZY#"))
            read(garbled, "the garbled-read screen")
            rest()
            # The read is counted before the agent decides (a dry render of the template): the page
            # does not wait for the decision, so the proof waits for its outcome. Had an earlier read
            # adjusted, this window would hold fewer than 20 reads and there would be two adjustments.
            kiosk.wait(lambda d: quality()["printers"][0]["adjustments"], "the agent's decision on the 20th read")
            view = quality()
            printer = view["printers"][0]
            pending = printer["pending"]
            if len(pending) != 1 or len(printer["adjustments"]) != 1 or pending[0]["change"] != "qr_module":
                raise ProofFailed(f"the 20th read, the second failure (10 %), should raise the QR module: {view}")
            adjustment = pending[0]
            if (adjustment["scans"], adjustment["failures"], adjustment["module_dots"], adjustment["to"]) != (
                    MINIMUM, 2, module_before, module_before + 1):
                raise ProofFailed(f"the adjustment's figures: {adjustment}, module before {module_before}")
            if printer["tuning"].get("qr_module_dots") != module_before + 1:
                raise ProofFailed(f"the printer's tuning should carry the new floor: {printer['tuning']}")
            log(f"the 20th read (2 failed, 10 % > 2 %) raised the QR module floor from {module_before} to "
                f"{adjustment['to']} dots" + (f", level {adjustment['qr_downgraded_from']} -> {adjustment['qr_level']}"
                                              if adjustment.get("qr_downgraded_from") else ""))

            database = glob.glob(os.path.join(agent.data, "**", "*.sqlite"), recursive=True)
            with sqlite3.connect(f"file:{database[0]}?mode=ro", uri=True) as connection:
                rows = connection.execute(
                    "SELECT actor, subject, details FROM audit_entry WHERE action = 'scan_quality.adjusted'").fetchall()
            if len(rows) != 1:
                raise ProofFailed(f"one scan_quality.adjusted audit entry expected: {rows}")
            actor, subject, details = rows[0][0], rows[0][1], json.loads(rows[0][2])
            expected = {"change": "qr_module", "scans": "20", "failures": "2", "garbled": "2", "failure_rate": "10.0",
                        "window_seconds": "1800", "to": str(module_before + 1), "adjustment": str(adjustment["id"])}
            if actor != "system" or subject != f"printer:{printer['printer']}" or any(details.get(k) != v for k, v in expected.items()):
                raise ProofFailed(f"the audit entry: {actor} {subject} {details}")
            log(f"audit entry scan_quality.adjusted: {subject}, {details['template_version']}, 2 of 20 reads, "
                f"QR module {module_before} -> {details['to']}")

            # The next badges: the same attendee reprinted, and an attendee's first badge.
            status, _, body = admin.request("POST", f"/v1/jobs/{jobs[swapped_id]}/reprint?reason=scan+quality+proof")
            if status not in (200, 202):
                raise ProofFailed(f"reprint: {status} {body}")
            wait_until_terminal(client, [body["id"]], timeout=60)
            text, module_after, version_after, level_after = symbol(printed.next(kiosk, "the reprint at the printer")[0])
            if text != tickets[swapped_id] or module_after < module_before + 1:
                raise ProofFailed(f"the reprint's QR code: {text!r}, {module_after} dots, expected at least {module_before + 1}")
            status, _, body = client.request("POST", "/v1/badges", {"attendee_id": fresh})
            wait_until_terminal(client, [body["id"]], timeout=60)
            text, module_fresh, _, _ = symbol(printed.next(kiosk, "the next badge at the printer")[0])
            if text != tickets[fresh] or module_fresh < module_before + 1:
                raise ProofFailed(f"the next badge's QR code: {text!r}, {module_fresh} dots")
            log(f"the next badges have {module_after}-dot modules (version {version_after}, level {level_after}) "
                "and decode to their tickets")

            # The operator sees it, read-only.
            operator = StaffPage(driver, f"http://127.0.0.1:{agent.port}/operator", shots)
            operator.open()
            operator.sign_in(OPERATOR, OPERATOR_PIN)
            operator.wait(lambda d: d.find_element("tag name", "body").get_attribute("data-scan-pending") == "1",
                          "the adjustment on the operator's page")
            section = driver.find_element("id", "scan-quality")
            if "awaiting review" not in section.text.lower() or driver.find_elements("css selector", "#scan-quality button"):
                raise ProofFailed(f"the operator's section, read-only: {section.text}")
            driver.execute_script("document.getElementById('scan-quality').scrollIntoView()")
            operator.shoot("scan-quality-02-operator")
            operator.accessible("the operator's scan-quality section")

            # The technician reverts it on the technician's page (the operator's session ends first).
            driver.delete_all_cookies()
            technician = StaffPage(driver, f"http://127.0.0.1:{agent.port}/technician", shots)
            technician.open()
            technician.sign_in(TECHNICIAN.lower(), TECHNICIAN_PIN)
            selector = f"#scan-quality li[data-adjustment='{adjustment['id']}'] button[data-decision=revert]"
            technician.wait(lambda d: d.find_elements("css selector", selector), "the adjustment with Revert on the technician's page")
            floor_text = driver.find_element("id", "scan-quality-floor").text
            if str(module_before + 1) not in floor_text:
                raise ProofFailed(f"the technician's page should show the floor in force: {floor_text!r}")
            technician.full_height()
            driver.execute_script("document.getElementById('scan-quality').scrollIntoView()")
            technician.shoot("scan-quality-03-technician-review")
            technician.accessible("the technician's scan-quality section")
            driver.find_element("css selector", selector).click()
            technician.wait(lambda d: d.find_element("tag name", "body").get_attribute("data-scan-decision")
                            == f"{adjustment['id']}/revert", "the revert")
            technician.wait(lambda d: d.find_element("tag name", "body").get_attribute("data-scan-pending") == "0",
                            "nothing awaiting review")
            technician.full_height()
            driver.execute_script("document.getElementById('scan-quality').scrollIntoView()")
            technician.shoot("scan-quality-04-technician-reverted")
            technician.accessible("the technician's page after the revert")

            status, _, history = admin.request("GET", f"/v1/printers/{quote(printer['printer'], safe='')}/tuning")
            current = history.get("current") or {}
            if status != 200 or current.get("qr_module_dots") is not None or "reverted" not in (current.get("reason") or ""):
                raise ProofFailed(f"the tuning after the revert: {status} {history}")
            decided = quality()["printers"][0]["adjustments"][0]
            if decided["status"] != "reverted" or decided["reviewed_by"] != TECHNICIAN:
                raise ProofFailed(f"the adjustment after the revert: {decided}")
            with sqlite3.connect(f"file:{database[0]}?mode=ro", uri=True) as connection:
                actors = connection.execute("SELECT actor FROM audit_entry WHERE action = 'scan_quality.reverted'").fetchall()
            if actors != [(TECHNICIAN,)]:
                raise ProofFailed(f"the revert's audit entry: {actors}")

            status, _, body = admin.request("POST", f"/v1/jobs/{jobs[swapped_id]}/reprint?reason=after+the+revert")
            wait_until_terminal(client, [body["id"]], timeout=60)
            text, module_reverted, _, _ = symbol(printed.next(kiosk, "the badge after the revert")[0])
            if text != tickets[swapped_id] or module_reverted != module_before:
                raise ProofFailed(f"after the revert the module should be {module_before} again: {module_reverted} ({text!r})")
            log(f"reverted on the technician's page by {TECHNICIAN}: tuning without the floor, audited, "
                f"and the next badge is back to {module_reverted}-dot modules")
            technician.stays_on_box()
        finally:
            if driver:
                driver.quit()
            agent.stop()
            sim.stop()


if __name__ == "__main__":
    run_proof("scan quality", main)
