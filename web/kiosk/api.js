// The agent's API as the kiosk page uses it: JSON both ways (a camera frame goes as raw pixels),
// same origin only.

export async function checkIn(payload) {
  const response = await fetch("/v1/checkins", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ payload }),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * A read the page does not check in (one that looks garbled): the agent counts it for the
 * scan-quality loop and says what it was. The attendee's screen does not wait for it.
 */
export async function reportScan(payload) {
  const response = await fetch("/v1/scans", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ payload }),
  });
  return { status: response.status, body: await response.json() };
}

export async function attendee(id) {
  const response = await fetch(`/v1/kiosk/attendees/${encodeURIComponent(id)}`);
  return response.ok ? response.json() : null;
}

/** The badge as the printer gets it, as an object URL the caller revokes. */
export async function badgePreview(id) {
  const response = await fetch(`/v1/attendees/${encodeURIComponent(id)}/badge.png`);
  return response.ok ? URL.createObjectURL(await response.blob()) : null;
}

/** Follows a job: `onEvent({job, printer})` on every change; returns a function that stops. */
export function follow(jobID, onEvent) {
  const source = new EventSource(`/v1/jobs/${jobID}/events`);
  source.addEventListener("job", (message) => onEvent(JSON.parse(message.data)));
  return () => source.close();
}

/** A handful of attendees matching `query`, each as {attendee_id, name, company}. */
export async function search(query) {
  const response = await fetch(`/v1/kiosk/search?q=${encodeURIComponent(query)}`);
  return { status: response.status, body: await response.json() };
}

/** A badge for an attendee found by search and confirmed on screen. */
export async function requestBadge(attendeeID) {
  const response = await fetch("/v1/badges", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    // A person is waiting at the screen: their badge goes before a batch printed ahead.
    body: JSON.stringify({ attendee_id: attendeeID, priority: "high" }),
  });
  return { status: response.status, body: await response.json() };
}

/** The QR codes the agent reads in a grayscale frame (one byte a pixel): [{text, format}]. */
export async function decodeFrame(pixels, width, height) {
  const response = await fetch(`/v1/kiosk/decode?width=${width}&height=${height}`, {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream" },
    body: pixels,
  });
  return response.ok ? (await response.json()).symbols : [];
}
