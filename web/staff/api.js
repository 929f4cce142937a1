// The agent's API as the staff pages use it: JSON both ways, same origin only, the session in
// its HttpOnly cookie (the browser sends it; no script can read it).

/**
 * `{status, body, headers}` of one request; `body` is the parsed JSON answer, or null for none.
 * A request the agent never answers (a dropped connection) is given up after `timeoutMs`, so it
 * cannot hold a page's polling for good.
 */
export async function request(method, path, body, timeoutMs = 15000) {
  const options = { method, headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The problem's code of a refused request (`agent.forbidden`), or "". */
export function problemCode(answer) {
  return answer?.body?.error?.code ?? "";
}
