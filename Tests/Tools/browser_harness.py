"""Driving the agent's pages in a real browser, for the browser proofs (kiosk_browser.py,
operator_browser.py): Debian's Chromium through chromedriver and Selenium, headless, and a page
object with the checks every proof makes: waiting for a condition, screenshots, axe-core, and no
request off the box.
"""
import os
import shutil
import subprocess

from agent_harness import ProofFailed, lanyard_binary


def screenshots_directory(workspace):
    """Where a proof saves its screenshots: LANYARD_KIOSK_SCREENSHOTS when set (to keep them),
    else a directory in the proof's workspace."""
    shots = os.environ.get("LANYARD_KIOSK_SCREENSHOTS") or os.path.join(workspace, "screens")
    os.makedirs(shots, exist_ok=True)
    return shots


def browser(*extra):
    """Headless Chromium; `extra` arguments after the proofs' own (a fake camera, say)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                     "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions") + extra:
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


class Page:
    """One of the agent's pages in the browser; `screen()` says what it shows when a wait fails."""

    def __init__(self, driver, url, shots):
        self.driver = driver
        self.url = url
        self.shots = shots

    def wait(self, condition, what, timeout=20):
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        # The pages redraw parts of themselves as they poll: an element found an instant before it
        # was replaced is looked for again, not taken for a failure.
        ignored = (NoSuchElementException, StaleElementReferenceException)
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.05, ignored_exceptions=ignored).until(condition)
        except Exception as error:
            raise ProofFailed(f"waited {timeout} s for {what}; screen: {self.screen()}; console: {self.console()}") from error

    def console(self):
        """What the page logged as errors (a script that threw), for a failed wait."""
        try:
            return [entry["message"] for entry in self.driver.get_log("browser") if entry.get("level") == "SEVERE"]
        except Exception:  # not every driver keeps the log
            return []

    def screen(self):
        return self.driver.title

    def shoot(self, name):
        if self.shots:
            self.driver.save_screenshot(os.path.join(self.shots, f"{name}.png"))

    def accessible(self, where):
        from axe_selenium_python import Axe
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        if serious:
            raise ProofFailed(f"axe on {where}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in serious))

    def off_box_requests(self):
        origin = self.driver.execute_script("return location.origin")
        urls = self.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        return [url for url in urls if not url.startswith(origin)]

    def stays_on_box(self):
        """Fails the proof if the page fetched anything from another origin than the agent's."""
        off_box = self.off_box_requests()
        if off_box:
            raise ProofFailed(f"the page made requests off the box: {off_box}")


def pin_hash(pin):
    """The hash a staff entry of the agent's configuration keeps (`lanyard hash-pin`)."""
    result = subprocess.run([lanyard_binary(), "hash-pin"], input=pin + "\n", capture_output=True, text=True, check=True)
    return result.stdout.strip()


class StaffPage(Page):
    """A staff page (web/staff/shell.js): its sign-in stands in for the content until someone
    whose role allows the page signs in."""

    def open(self):
        self.driver.get(self.url)
        self.wait(lambda d: self.visible("staff-sign-in") or self.visible("staff-content"), "the page to start")

    def visible(self, element_id):
        return self.driver.execute_script(f"const e = document.getElementById('{element_id}'); return !!e && !e.closest('[hidden]');")

    def text(self, element_id):
        return self.driver.find_element("id", element_id).text

    def sign_in(self, name, pin):
        self.wait(lambda d: self.visible("staff-sign-in") and d.find_elements("id", "staff-pin"), "the sign-in form")
        field = self.driver.find_element("id", "staff-name")
        field.clear()
        field.send_keys(name)
        pin_field = self.driver.find_element("id", "staff-pin")
        pin_field.send_keys(pin)
        pin_field.submit()

    def full_height(self):
        """The window as tall as the page, so a screenshot shows all of it."""
        height = self.driver.execute_script("return Math.ceil(document.body.getBoundingClientRect().height)")
        self.driver.set_window_size(1280, max(900, height + 200))
        self.driver.execute_script("window.scrollTo(0, 0)")

    def status_says(self, fragment, what):
        self.wait(lambda d: fragment in self.text("action-status"), what)
