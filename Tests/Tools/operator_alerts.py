"""The operator page's alerts in a real browser (docs/alerts.md): Debian's Chromium, driven by
Selenium through chromedriver, against the real `lanyard agent` printing to `lanyard printer-sim`.

The agent evaluates its alerts every second here (`alerts.interval_seconds: 1`, the setting a
demonstration uses: the baseline is then 180 seconds, the history it needs 60 and the queue's
`for` 5), so that a kiosk's day fits in a few minutes:
- an idle kiosk: the page says all is normal, and axe-core finds nothing serious;
- once the baseline has its 60 samples (an empty queue), the printer runs out of paper while
  twelve attendees ask for their badge: the queue of 12 is past its floor of 10 and far past 2
  sigma of its usual 0; the condition is pending, then fires, and the page shows what, the value,
  the usual and since when, and passes axe-core;
- paper is back, the queue drains and the page says all is normal again.

Screenshots go to $LANYARD_KIOSK_SCREENSHOTS (docs/alerts/ keeps a set).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (  # noqa: E402
    Agent, Client, PrinterSim, ProofFailed, Workspace, agent_config, log, registration, run_proof, wait_until_terminal,
)
from browser_harness import StaffPage, browser, pin_hash, screenshots_directory  # noqa: E402

NAME = "Ana"
PIN = "482916"
BADGES = 12


class AlertsPage(StaffPage):
    def screen(self):
        try:
            return {"alerts": self.text("alerts"), "updated": self.text("updated")}
        except Exception as error:  # the page itself may be what failed
            return f"unreadable ({error})"

    def overview_alerts(self):
        """The overview's alerts, read with the page's own session."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/v1/operator/overview?hours=1').then(r => r.json()).then(o => done(o.alerts), e => done(null));")

    def card(self, alert):
        cards = self.driver.find_elements("css selector", f"#alert-list li[data-alert='{alert}']")
        return cards[0] if cards and self.visible("alert-list") else None


def queue_baseline(alerts):
    queue = next((s for s in (alerts or {}).get("signals", []) if s["signal"] == "queue_depth"), {})
    return queue.get("baseline") or {}


def main():
    with Workspace("lanyard-operator-alerts-") as directory:
        sim = PrinterSim(os.path.join(directory, "labels"))
        # A deadline longer than the proof: the queued badges wait at the printer, where the
        # operator would find them.
        config = agent_config(sim.address, staff=[{"name": NAME, "role": "operator", "pin_hash": pin_hash(PIN)}],
                              alerts={"interval_seconds": 1}, queue={"deadline_seconds": 600})
        agent = Agent(directory, config)
        driver = None
        try:
            agent.start()
            client = Client(agent.port)
            shots = screenshots_directory(directory)
            driver = browser()
            page = AlertsPage(driver, f"http://127.0.0.1:{agent.port}/operator", shots)
            page.open()
            page.sign_in(NAME, PIN)
            page.wait(lambda d: page.visible("staff-content") and page.text("alerts-note").startswith("Evaluated at"),
                      "the page with the agent's first evaluation")
            if not page.visible("alerts-empty") or page.text("alerts-empty") != "All is normal: no figure is out of the ordinary.":
                raise ProofFailed(f"an idle kiosk should be all normal: {page.screen()}")
            if "every 1 second" not in page.text("alerts-note"):
                raise ProofFailed(f"the note should give the interval: {page.text('alerts-note')!r}")
            page.shoot("01-all-normal")
            page.accessible("all normal")
            log("an idle kiosk: all is normal")

            # The baseline: 60 samples of an empty queue (a minute at one a second).
            deadline = time.monotonic() + 120
            while queue_baseline(page.overview_alerts()).get("samples", 0) < 60:
                if time.monotonic() > deadline:
                    raise ProofFailed(f"no baseline of 60 samples after 120 s: {page.overview_alerts()}")
                time.sleep(1)
            baseline = queue_baseline(page.overview_alerts())
            if baseline.get("mean") != 0 or baseline.get("sigma") != 0:
                raise ProofFailed(f"an idle kiosk's queue baseline should be 0 +- 0: {baseline}")

            # Paper out, and twelve attendees at the door.
            sim.set_mode("paper-out")
            page.wait(lambda d: page.visible("out-of-order") and "paper out" in page.text("out-of-order"), "out of order", timeout=30)
            jobs = []
            for number in range(1, BADGES + 1):
                status, _, body = client.request("POST", "/v1/badges", {"attendee": registration("crm", number)})
                if status != 202:
                    raise ProofFailed(f"POST /v1/badges: {status} {body}")
                jobs.append(body["id"])
            alert = "LanyardQueueDepthAboveBaseline"
            page.wait(lambda d: page.card(alert), "the queue's condition on the page", timeout=30)
            page.wait(lambda d: page.card(alert).get_attribute("data-phase") == "firing", "the queue's alert firing", timeout=30)
            card = page.card(alert).text
            for expected in ("Print queue", "Warning: worse than usual", f"Now: {BADGES} waiting",
                             "Usual over the last 3 minutes: ", " samples)", "Floor: 10 waiting or more",
                             "firing since"):
                if expected not in card:
                    raise ProofFailed(f"the alert's card should say {expected!r}: {card!r}")
            if page.visible("alerts-empty"):
                raise ProofFailed("the page says all is normal beside a firing alert")
            alerts = page.overview_alerts()
            condition = next(c for c in alerts["conditions"] if c["alert"] == alert)
            if condition["value"] != BADGES or condition["floor"] != 10 or condition["for_seconds"] != 5:
                raise ProofFailed(f"the condition's figures: {condition}")
            if any(c["alert"] != alert for c in alerts["conditions"]):
                raise ProofFailed(f"only the queue should alert: {alerts['conditions']}")
            page.full_height()
            page.shoot("02-queue-alert")
            page.accessible("a firing alert")
            page.driver.set_window_size(1280, 900)
            log(f"paper out with {BADGES} badges waiting: the queue's alert fired and the page shows it")

            # Paper back: the queue drains and the condition clears.
            sim.set_mode("ready")
            wait_until_terminal(client, jobs, timeout=120)
            page.wait(lambda d: page.visible("alerts-empty") and not page.card(alert), "all normal again", timeout=30)
            page.shoot("03-cleared")
            page.accessible("all normal again")
            page.stays_on_box()
            log(f"paper back, the queue drained and the alert cleared; screenshots in {shots}")
        finally:
            if driver is not None:
                driver.quit()
            agent.stop()
            sim.stop()


if __name__ == "__main__":
    run_proof("operator_alerts", main)
