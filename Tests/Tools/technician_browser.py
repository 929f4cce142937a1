"""The technician's page in a real browser (Debian's Chromium through Selenium) against the real
`lanyard agent`, printing to `lanyard printer sim` over TCP, with a technician configured.

- The technician signs in with a PIN; the page shows what the printer says it is (its ~HI answer).
- Scan to choose: the ladder prints one label per darkness x speed cell; the QR code of one
  printed label, decoded from the simulator's PNG with zxing-cpp, is typed as a keyboard-wedge
  scanner types it; that cell's darkness and speed become the printer's tuning, with the reason
  chosen on the page, in the history, and the next badge prints at them.
- A read that is not a ladder cell stores nothing.
- The scanner self-test passes an exact, fast read ending in Enter, and names a German keyboard
  layout when y and z arrive swapped and a missing Enter suffix.
- A test badge prints; axe-core finds no serious or critical violation; no request leaves the box.

Screenshots go to $LANYARD_KIOSK_SCREENSHOTS (docs/technician/ keeps a set).
"""
import os
import sys
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (  # noqa: E402
    PROFILE, Agent, Client, PrinterSim, ProofFailed, Workspace, agent_config, decode_labels, log, run_proof,
)
from browser_harness import StaffPage, browser, pin_hash, screenshots_directory  # noqa: E402

NAME = "Tomás"
PIN = "735104"
ADMIN = "technician-proof-admin-token"


class Technician(StaffPage):
    def typed(self, text, suffix=True):
        """Keystrokes as a scanner sends them, to the document, ending in Enter unless told not to."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys
        ActionChains(self.driver).send_keys(text + (Keys.ENTER if suffix else "")).perform()

    def body(self, attribute):
        return self.driver.find_element("tag name", "body").get_attribute(attribute)

    def findings(self):
        return [item.get_attribute("data-finding") for item in self.driver.find_elements("css selector", "#scanner-findings li")]

    def screen(self):
        try:
            return {"content": self.visible("staff-content"), "status": self.text("action-status"),
                    "findings": self.findings(), "tuned": self.body("data-tuned")}
        except Exception as error:  # the page itself may be what failed
            return f"unreadable ({error})"


def labels_with(directory, prefix):
    """{label file: payload} for labels whose QR code starts with `prefix`."""
    found = {}
    for name, texts in decode_labels(directory).items():
        for text in texts:
            if text.startswith(prefix):
                found[name] = text
    return found


def self_test(page, typed, suffix=True):
    page.driver.find_element("id", "scanner-start").click()
    page.wait(lambda d: page.visible("scanner-code") and d.find_element("id", "scanner-image").get_attribute("src"),
              "the scanner test code")
    page.typed(typed, suffix)
    page.wait(lambda d: page.visible("scanner-findings") and page.findings() and page.findings()[0] != "", "the findings")
    page.wait(lambda d: page.body("data-self-test") in ("pass", "fail") and not page.visible("scanner-code"), "the result")
    return page.findings()


def main():
    with Workspace("lanyard-technician-") as directory:
        labels = os.path.join(directory, "labels")
        sim = PrinterSim(labels)
        agent = Agent(directory, agent_config(
            sim.address, admin_token=ADMIN, staff=[{"name": NAME, "role": "technician", "pin_hash": pin_hash(PIN)}]))
        driver = None
        try:
            agent.start()
            admin = Client(agent.port, headers={"Authorization": f"Bearer {ADMIN}"})
            shots = screenshots_directory(directory)
            driver = browser()
            page = Technician(driver, f"http://127.0.0.1:{agent.port}/technician", shots)
            page.open()
            page.shoot("technician-01-sign-in")
            page.accessible("the technician sign-in")
            page.sign_in(NAME.lower(), PIN)
            page.wait(lambda d: page.visible("staff-content") and page.body("data-ready") == "true", "the technician page")
            page.wait(lambda d: "ZD621" in page.text("identity"), "the printer's own model from its ~HI answer")
            log("signed in; the page shows the printer's ~HI model and the profile " + PROFILE)

            # Scan to choose: print the ladder, decode one printed cell, type its code.
            page.driver.find_element("id", "ladder-darkness").send_keys("12, 18")
            page.driver.find_element("id", "ladder-speeds").send_keys("3")
            page.driver.find_element("css selector", "#ladder-form button[type=submit]").click()
            page.wait(lambda d: len(d.find_elements("css selector", "#ladder-rows tr")) == 2 and page.visible("ladder-waiting"),
                      "the ladder's cells")
            page.wait(lambda d: len(labels_with(labels, "lanyard-ladder|")) == 2, "two ladder labels at the printer", timeout=30)
            cells = labels_with(labels, "lanyard-ladder|")
            chosen = next(payload for payload in cells.values() if payload.startswith("lanyard-ladder|D18|S3|P"))
            page.full_height()
            page.shoot("technician-02-ladder-printed")
            page.accessible("the printed ladder")
            page.typed("DEVCON-2026|not|a|ladder")
            page.status_says("not a ladder label", "the page saying a ticket is not a ladder cell")
            page.typed(chosen)
            page.wait(lambda d: page.body("data-tuned") == "18/3", "the scanned cell stored as the tuning")
            status, _, printers = admin.request("GET", "/v1/printers")
            printer_id = printers["printers"][0]["id"]
            status, _, history = admin.request("GET", f"/v1/printers/{quote(printer_id, safe='')}/tuning")
            if status != 200 or len(history["history"]) != 1:
                raise ProofFailed(f"one tuning change expected: {status} {history}")
            change = history["history"][0]
            if (change["darkness"], change["speed_ips"], change["reason"]) != (18, 3, "New label stock"):
                raise ProofFailed(f"the scanned cell's settings and the chosen reason: {change}")
            page.wait(lambda d: len(d.find_elements("css selector", "#history-rows tr")) == 1, "the history on the page")
            page.full_height()
            page.shoot("technician-03-tuned")
            log("a scanned ladder cell became the tuning (darkness 18, 3 ips) with its reason, no typing")

            # The test badge prints at the stored tuning.
            before = len(sim.labels())
            page.driver.find_element("css selector", "[data-task=test_badge]").click()
            page.wait(lambda d: len(sim.labels()) > before, "the test badge at the printer", timeout=30)

            findings = self_test(page, "LANYARD-SCAN-TEST|yzYZ|-_/:.@|0123456789")
            if findings[0] != "scan_exact" or page.body("data-self-test") != "pass":
                raise ProofFailed(f"an exact read should pass: {findings}")
            page.shoot("technician-04-scanner-pass")
            findings = self_test(page, "LANYARD-SCAN-TEST|zyZY|-_/:.@|0123456789", suffix=False)
            if "scan_layout_de" not in findings or "scan_no_suffix" not in findings:
                raise ProofFailed(f"a German layout and a missing suffix should be named: {findings}")
            page.full_height()
            page.shoot("technician-05-scanner-layout")
            page.accessible("the scanner self-test")
            log("the scanner self-test passes an exact read and names a German layout and a missing Enter")

            off_box = page.off_box_requests()
            if off_box:
                raise ProofFailed(f"requests off the box: {off_box}")
        finally:
            if driver:
                driver.quit()
            agent.stop()
            sim.stop()


if __name__ == "__main__":
    run_proof("technician page", main)
