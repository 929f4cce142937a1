"""The operator's page in a real browser: Debian's Chromium, driven by Selenium through
chromedriver, against the real `lanyard agent` printing to `lanyard printer-sim`, with a member of
staff configured (`lanyard hash-pin` makes the PIN's hash).

What an operator meets during an event:
- the page asks for a sign-in; a wrong PIN is refused on screen, the right one opens the page;
- badges printed, a check-in, a registration refused as a dead letter and a badge the printer
  printed but never confirmed (its answers are cut on the line after it took the job: manual
  review) all appear, live, with the throughput and success charts drawn from them;
- paper out shows the kiosk out of order on the page, as the kiosk page shows it to attendees;
- the dead letter's cause is fixed (the event learns the ticket type; the agent restarts and the
  page asks for the sign-in again) and the operator replays it: the badge prints;
- a badge held unconfirmed past its deadline is listed among those past their deadline;
- the operator decides the unconfirmed badge with a reason (it printed): nothing more prints;
- the operator reprints a printed badge with a reason (none is refused): a second label;
- Arabic lays the page out right to left;
- axe-core finds no serious or critical violation on any of these screens, and the page makes
  no request off the box.

Screenshots go to $LANYARD_KIOSK_SCREENSHOTS (docs/operator/ keeps a set).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (  # noqa: E402
    Agent, Client, PrinterLine, PrinterSim, ProofFailed, Workspace, agent_config, attendee_id, attendees_on_labels,
    log, registration, run_proof, wait_until_terminal,
)
from browser_harness import StaffPage, browser, pin_hash, screenshots_directory  # noqa: E402
from kiosk_browser import sample_attendees, ticket  # noqa: E402

NAME = "Ana"
PIN = "482916"
# A ticket type the sample event does not know: its registrations are dead letters until the
# event's tier mapping names it.
NEW_TICKET_TYPE = "Workshop"
DEFAULT_TIERS = {"General Admission": "general", "VIP": "vip", "Speaker": "speaker", "Staff": "staff",
                 "Sponsor": "sponsor", "Press": "press", "Student": "student"}


class Operator(StaffPage):
    def screen(self):
        try:
            return {"lang": self.driver.find_element("tag name", "html").get_attribute("lang"),
                    "sign_in": self.visible("staff-sign-in"), "content": self.visible("staff-content"),
                    "status": self.text("action-status"), "updated": self.text("updated"),
                    "visibility": self.driver.execute_script("return document.visibilityState"),
                    "hours": self.driver.execute_script("return document.getElementById('hours').value"),
                    "summary": self.text("success-summary")}
        except Exception as error:  # the page itself may be what failed
            return f"unreadable ({error})"

    def rows(self, body_id):
        return self.driver.find_elements("css selector", f"#{body_id} tr")

    def row_with(self, body_id, text):
        return next((row for row in self.rows(body_id) if text in row.text), None)

    def answer_dialog(self, reason):
        """Types `reason` into the open reason dialog and confirms."""
        self.wait(lambda d: d.execute_script("return document.querySelector('dialog.staff-dialog')?.open === true"), "the reason dialog")
        field = self.driver.find_element("id", "staff-dialog-reason")
        field.clear()
        field.send_keys(reason)
        self.driver.find_element("id", "staff-dialog-confirm").click()
        self.wait(lambda d: not d.execute_script("return document.querySelector('dialog.staff-dialog').open"), "the dialog to close")


def job_state(client, job_id):
    status, _, body = client.request("GET", f"/v1/jobs/{job_id}")
    if status != 200:
        raise ProofFailed(f"GET /v1/jobs/{job_id}: {status} {body}")
    return body["state"]


def main():
    with Workspace("lanyard-operator-") as directory:
        sim = PrinterSim(os.path.join(directory, "labels"))
        line = PrinterLine(sim.port)
        # A short deadline: the badge held unconfirmed by the silent printer is past it while it waits.
        config = agent_config(line.address, staff=[{"name": NAME, "role": "operator", "pin_hash": pin_hash(PIN)}],
                              queue={"deadline_seconds": 2})
        agent = Agent(directory, config)
        driver = None
        try:
            agent.start()
            client = Client(agent.port)
            shots = screenshots_directory(directory)
            driver = browser()
            page = Operator(driver, f"http://127.0.0.1:{agent.port}/operator", shots)

            # Signed out: the sign-in form; a wrong PIN is refused on screen.
            page.open()
            if page.visible("staff-content"):
                raise ProofFailed("the operator's page showed its content before anyone signed in")
            page.accessible("the sign-in form")
            page.sign_in(NAME, "000000")
            page.wait(lambda d: page.text("staff-sign-in-error") == "That name and PIN do not match.", "the wrong-PIN message")
            page.shoot("01-sign-in-wrong-pin")
            page.sign_in(NAME, PIN)
            page.wait(lambda d: page.visible("staff-content") and d.find_element("tag name", "body").get_attribute("data-ready"),
                      "the page after signing in")
            log("the page asked for a sign-in, refused a wrong PIN and opened for the right one")

            # Work for the operator: printed badges, a check-in, a dead letter, an unconfirmed badge.
            printed = []
            for number in range(1, 4):
                status, _, body = client.request("POST", "/v1/badges", {"attendee": registration("crm", number)})
                if status != 202:
                    raise ProofFailed(f"POST /v1/badges: {status} {body}")
                printed.append(body["id"])
            people = sample_attendees()
            person = next(p for p in people if (p.get("locale") or "").startswith("en"))
            person_id = attendee_id(person["source"], person["source_id"])
            _, _, known = client.request("GET", f"/v1/kiosk/attendees/{person_id}")
            status, _, body = client.request("POST", "/v1/checkins", {"payload": ticket(person_id, known["access_tier"])})
            if status != 202:
                raise ProofFailed(f"POST /v1/checkins: {status} {body}")
            printed.append(body["id"])
            wait_until_terminal(client, printed, timeout=60)
            workshop = dict(registration("crm", 90), ticket_type=NEW_TICKET_TYPE)
            status, _, body = client.request("POST", "/v1/badges", {"attendee": workshop})
            if status != 422:
                raise ProofFailed(f"a registration with an unknown ticket type should be a dead letter: {status} {body}")
            letter = body["error"]["dead_letter_id"]
            line.silence_after_next_job()
            status, _, body = client.request("POST", "/v1/badges", {"attendee": registration("crm", 91)})
            unconfirmed = body["id"]
            # Held by a printer that no longer answers, past its deadline, with nowhere to go: listed.
            page.wait(lambda d: page.row_with("overdue-rows", f"#{unconfirmed}"), "the held badge among those past their deadline")
            page.shoot("02-overdue")
            if wait_until_terminal(client, [unconfirmed], timeout=60)[unconfirmed]["state"] != "manual_review":
                raise ProofFailed(f"a printer that stops answering after taking job {unconfirmed} should leave it to manual review")
            line.answer()

            page.wait(lambda d: page.row_with("dead-letter-rows", "intake.unknown_ticket_type"), "the dead letter on the page")
            decide = f"#review-rows button[data-decision='printed'][data-id='{unconfirmed}']"
            page.wait(lambda d: d.find_elements("css selector", decide), "the unconfirmed badge in manual review")
            page.wait(lambda d: page.row_with("check-in-rows", person.get("last_name") or person["first_name"]), "the check-in")
            page.wait(lambda d: len(page.rows("job-rows")) >= 5, "the jobs")
            page.wait(lambda d: d.find_elements("css selector", "#throughput rect.bar")
                      and d.find_elements("css selector", "#success circle.point"), "the charts")
            from selenium.webdriver.support.ui import Select
            Select(driver.find_element("id", "hours")).select_by_value("1")
            page.wait(lambda d: "last 1 h" in page.text("success-summary"), "the charts over the last hour")
            if len(driver.find_elements("css selector", "#series-table tbody tr")) != 6:
                raise ProofFailed("the charts' table should give one row per 10 minutes of the hour")
            summary = page.text("success-summary")
            if "printed: 4" not in summary or "manual review: 1" not in summary:
                raise ProofFailed(f"the success chart's summary should count 4 printed and 1 to review: {summary!r}")
            page.full_height()
            page.shoot("02-overview")
            page.accessible("the overview")
            page.driver.set_window_size(1280, 900)
            log("printed badges, a check-in, a dead letter and an unconfirmed badge appeared live, with both charts")

            # Paper out: the kiosk is out of order, on this page as on the attendees'.
            sim.set_mode("paper-out")
            page.wait(lambda d: page.visible("out-of-order") and "paper out" in page.text("out-of-order"), "out of order", timeout=30)
            page.wait(lambda d: d.find_elements("css selector", ".card[data-state='bad']"), "the printer's card out of order")
            page.shoot("03-out-of-order")
            page.accessible("out of order")
            # A badge queued while the printer is out of paper: the operator cancels it, with a reason.
            status, _, body = client.request("POST", "/v1/badges", {"attendee": registration("crm", 900)})
            if status != 202:
                raise ProofFailed(f"POST /v1/badges: {status} {body}")
            queued = body["id"]
            cancel = f"#job-rows button[data-action='cancel'][data-id='{queued}']"
            page.wait(lambda d: d.find_elements("css selector", cancel), "the queued badge's cancel button")
            driver.find_element("css selector", cancel).click()
            page.answer_dialog("attendee changed their mind")
            page.status_says(f"Job {queued} is cancelled.", "the cancellation said")
            if job_state(client, queued) != "cancelled":
                raise ProofFailed(f"job {queued} should be cancelled: {job_state(client, queued)}")
            sim.set_mode("ready")
            page.wait(lambda d: not page.visible("out-of-order"), "the printer back in order", timeout=30)
            log("paper out showed the kiosk out of order; it cleared when paper was back")

            # The unconfirmed badge: the operator finds it in the printer's tray.
            driver.find_element("css selector", decide).click()
            page.wait(lambda d: d.execute_script("return document.querySelector('dialog.staff-dialog')?.open === true"), "the dialog")
            page.shoot("04-review-decision")
            page.accessible("the reason dialog")
            page.answer_dialog("the badge is in the tray; the printer's status line was down")
            page.status_says(f"Job {unconfirmed}: it printed.", "the decision's answer")
            page.wait(lambda d: not d.find_elements("css selector", decide), "the review queue emptied")
            time.sleep(1)
            if attendees_on_labels(sim.out)[0].get(attendee_id("crm", "CRM-000091")) != 1:
                raise ProofFailed("the badge decided as printed should be on exactly one label")
            log("the manual-review item was decided with a reason; nothing more printed")

            # A reprint of a printed badge: a reason is required, then one more label.
            original = printed[0]
            driver.find_element("css selector", f"#job-rows button[data-action='reprint'][data-id='{original}']").click()
            page.wait(lambda d: d.execute_script("return document.querySelector('dialog.staff-dialog')?.open === true"), "the dialog")
            driver.find_element("id", "staff-dialog-confirm").click()
            page.wait(lambda d: page.text("staff-dialog-error"), "a reason to be asked for")
            page.shoot("05-reprint-reason-required")
            page.answer_dialog("the badge was left in the rain")
            page.status_says(f"Job {original} is being reprinted as job", "the reprint's answer")
            copy = int(page.text("action-status").rstrip(".").split()[-1])
            wait_until_terminal(client, [copy], timeout=60)
            first = attendee_id("crm", "CRM-000001")
            counts, _ = attendees_on_labels(sim.out)
            if counts.get(first) != 2:
                raise ProofFailed(f"a reprint should make a second label for {first}: {counts}")
            log("a reprint without a reason was refused on screen; with one, a second label printed")

            # The dead letter's cause is fixed: the event now maps the ticket type. The agent
            # restarts (sessions end with it), the page asks for a sign-in again, and the replay prints.
            event = os.path.join(directory, "event.yaml")
            with open(event, "w") as file:
                json.dump({"slug": "devcon-2026", "name": "DevCon 2026", "check_in_secret": "sample-event-secret-not-for-production",
                           "accept_other_events": True, "tier_mapping": dict(DEFAULT_TIERS, **{NEW_TICKET_TYPE: "general"})}, file)
            with open(agent.config_path, "w") as file:
                json.dump(dict(config, event=event), file)
            agent.stop()
            page.wait(lambda d: "does not answer" in page.text("updated"), "the page to notice the agent is gone")
            agent.start()
            page.sign_in(NAME, PIN)
            page.wait(lambda d: page.visible("staff-content") and page.row_with("dead-letter-rows", "intake.unknown_ticket_type"),
                      "the page after signing in again")
            page.row_with("dead-letter-rows", "intake.unknown_ticket_type").find_element("css selector", "button").click()
            page.status_says(f"Dead letter {letter} replayed: job", "the replay's answer")
            replayed = int(page.text("action-status").rstrip(".").split()[-1])
            if wait_until_terminal(client, [replayed], timeout=60)[replayed]["state"] != "printed":
                raise ProofFailed(f"the replayed dead letter's job {replayed} did not print")
            if attendee_id("crm", "CRM-000090") not in attendees_on_labels(sim.out)[0]:
                raise ProofFailed("the replayed registration's badge is not among the labels")
            page.wait(lambda d: not page.row_with("dead-letter-rows", "intake.unknown_ticket_type"), "the dead letter to leave the list")
            page.shoot("06-replayed")
            log("after the fix and a restart, the page asked for a sign-in again; the replayed dead letter printed")

            # Arabic, right to left.
            Select(driver.find_element("id", "staff-language")).select_by_value("ar")
            page.wait(lambda d: d.find_element("tag name", "html").get_attribute("dir") == "rtl", "Arabic, right to left")
            page.wait(lambda d: page.text("health-heading") == "حالة الكشك", "the Arabic headings")
            page.full_height()
            page.shoot("07-arabic")
            page.accessible("the Arabic page")
            log("Arabic lays the page out right to left and passes axe")

            page.stays_on_box()
            log(f"no request left the box; screenshots in {shots}")
        finally:
            if driver is not None:
                driver.quit()
            agent.stop()
            sim.stop()
            line.stop()


if __name__ == "__main__":
    run_proof("operator_browser", main)
