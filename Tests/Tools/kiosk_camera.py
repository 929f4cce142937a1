"""The kiosk page's camera in a real browser: Debian's Chromium with a fake camera that shows a
ticket's QR code (a Y4M video made here, the code drawn by zxing-cpp's own encoder), driven by
Selenium against the real `lanyard agent` printing to `lanyard printer-sim`.

It holds when:
- the idle screen offers "Use the camera" (the box has a camera) and axe-core finds no serious or
  critical violation with it;
- pressing it opens the camera, the page sends frames to POST /v1/kiosk/decode, and the ticket
  read from them checks the attendee in exactly as a scanner's read does: one badge, whose QR
  code decodes to that attendee;
- the camera is closed once the code is read (no track left running), and stays closed when
  the kiosk returns to idle;
- a camera that sees no code keeps reading frames, and is closed when the page is hidden;
- the page makes no request off the box.

kiosk_browser.py proves the rest of the page, and that a box without a camera offers none.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import Client, ProofFailed, attendee_id, attendees_on_labels, log, run_proof  # noqa: E402
from kiosk_browser import Kiosk, KioskBox, sample_attendees, ticket  # noqa: E402

WIDTH, HEIGHT = 640, 480


def ticket_video(path, payload):
    """A 10 fps Y4M video, which Chromium loops: a second of an empty scene (gray), then, with a
    `payload`, a second of the ticket, a white card with its QR code. Grayscale: the chroma
    planes are neutral."""
    empty = bytearray([96]) * (WIDTH * HEIGHT)
    frames = [empty] * 10
    if payload is not None:
        import zxingcpp
        image = memoryview(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=3))
        side = image.shape[0]
        code = image.tobytes()
        if side + 40 > HEIGHT:
            raise ProofFailed(f"the ticket's code is {side} px, too large for a {WIDTH}x{HEIGHT} frame")
        card = bytearray(empty)
        left, top = (WIDTH - side) // 2 + 40, (HEIGHT - side) // 2
        for y in range(top - 20, top + side + 20):
            card[y * WIDTH + left - 20:y * WIDTH + left + side + 20] = bytes([240]) * (side + 40)
        for y in range(side):
            card[(top + y) * WIDTH + left:(top + y) * WIDTH + left + side] = code[y * side:(y + 1) * side]
        frames += [card] * 10
    chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
    with open(path, "wb") as file:
        file.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            file.write(b"FRAME\n" + bytes(frame) + chroma)


def camera_closed(driver):
    return driver.execute_script(
        "return document.getElementById('camera-video').srcObject === null && document.getElementById('camera-view').hidden")


def decode_requests(driver):
    return driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/v1/kiosk/decode')).length")


def main():
    with KioskBox("lanyard-camera-") as box:
        box.agent.start()
        person = next(p for p in sample_attendees() if (p.get("locale") or "").startswith("en"))
        identifier = attendee_id(person["source"], person["source_id"])
        status, _, body = Client(box.agent.port).request("GET", f"/v1/kiosk/attendees/{identifier}")
        if status != 200:
            raise ProofFailed(f"GET /v1/kiosk/attendees/{identifier}: {status} {body}")
        video = os.path.join(box.directory, "ticket.y4m")
        ticket_video(video, ticket(identifier, body["access_tier"]))

        driver = box.browser("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                             f"--use-file-for-fake-video-capture={video}")
        kiosk = Kiosk(driver, f"http://127.0.0.1:{box.agent.port}/", None)
        kiosk.open()
        kiosk.wait(lambda d: d.find_element("id", "camera").is_displayed(), "the camera button")
        kiosk.accessible("the welcome screen with the camera button")
        driver.find_element("id", "camera").click()
        kiosk.wait(lambda d: d.find_element("id", "camera").get_attribute("aria-pressed") == "true", "the camera to open")
        kiosk.await_state("printed", timeout=30)
        counts, unreadable = attendees_on_labels(box.sim.out)
        if counts != {identifier: 1} or unreadable:
            raise ProofFailed(f"a ticket read by the camera should print one badge for {identifier}: {counts}, "
                              f"unreadable {unreadable}")
        log(f"the camera read the ticket after {decode_requests(driver)} frame(s) and printed exactly one badge, "
            "whose QR code is that attendee's")

        if not camera_closed(driver):
            raise ProofFailed("the camera stayed open after the code was read")
        kiosk.await_state("idle", timeout=15)
        if driver.find_element("id", "camera-view").is_displayed():
            raise ProofFailed("the camera view is open on the idle screen after the reset")
        log("the camera closed once the code was read and stayed closed through the idle reset")

        kiosk.stays_on_box()
        log("no request left the box")

        # A camera that sees no code keeps reading, and closes when the page is hidden.
        empty = os.path.join(box.directory, "empty.y4m")
        ticket_video(empty, None)
        driver = box.browser("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                             f"--use-file-for-fake-video-capture={empty}")
        kiosk = Kiosk(driver, f"http://127.0.0.1:{box.agent.port}/", None)
        kiosk.open()
        kiosk.wait(lambda d: d.find_element("id", "camera").is_displayed(), "the camera button")
        driver.find_element("id", "camera").click()
        kiosk.wait(lambda d: decode_requests(d) >= 3, "three frames read")
        page = driver.current_window_handle
        driver.switch_to.new_window("tab")
        time.sleep(0.5)
        driver.switch_to.window(page)
        if not camera_closed(driver) or kiosk.state() != "idle":
            raise ProofFailed(f"the camera stayed open while the page was hidden; screen: {kiosk.screen()}")
        log("a camera that saw no code kept reading frames, and closed when the page was hidden")


if __name__ == "__main__":
    run_proof("kiosk_camera", main)
