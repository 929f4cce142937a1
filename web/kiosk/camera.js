// The box's camera, where it has one, as a second scanner: Chromium on Linux has no
// BarcodeDetector and the page loads nothing from elsewhere, so frames go to the agent as
// grayscale pixels and it reads them (POST /v1/kiosk/decode). A read goes to the same handler as
// a keyboard scanner's. No camera, no button.
import * as api from "kiosk/api.js";
import { t } from "kiosk/i18n.js";

/** Frames are scaled to this width: enough for a ticket's code at arm's length, 300 KB a frame. */
const frameWidth = 640;
/** The pause between an answer and the next frame: at most four frames a second, one at a time. */
const frameIntervalMs = 250;
/** A camera opened and forgotten closes by itself. */
const openAtMostMs = 60000;

const button = document.getElementById("camera");
const view = document.getElementById("camera-view");
const video = document.getElementById("camera-video");
const hint = document.getElementById("camera-hint");
const canvas = document.createElement("canvas");

let onRead = () => {};
let hasCamera = false;
let offered = false;
let stream = null;
/** Counts openings and closings: a camera or an answer that comes after its opening closed is dropped. */
let opening = 0;
let frameTimer = 0;
let closeTimer = 0;

/** Offers the camera on the idle screen when the box has one; `read(text)` gets each code read. */
export async function setup(read) {
  onRead = read;
  if (!navigator.mediaDevices?.enumerateDevices) return;
  button.addEventListener("click", () => (button.getAttribute("aria-pressed") === "true" ? stop() : open()));
  document.addEventListener("visibilitychange", () => { if (document.hidden) stop(); });
  navigator.mediaDevices.addEventListener("devicechange", look);
  await look();
}

/** Shows the button while `idle`; any other screen closes the camera. */
export function offer(idle) {
  offered = idle;
  button.hidden = !(idle && hasCamera);
  if (!idle) stop();
}

/** Closes the camera and forgets its frames. */
export function stop() {
  opening += 1;
  clearTimeout(frameTimer);
  clearTimeout(closeTimer);
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  video.srcObject = null;
  view.hidden = true;
  button.setAttribute("aria-pressed", "false");
}

async function look() {
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  hasCamera = devices.some((device) => device.kind === "videoinput");
  if (!hasCamera) stop();
  offer(offered);
}

async function open() {
  const current = ++opening;
  say("camera_hint");
  view.hidden = false;
  video.hidden = false;
  button.setAttribute("aria-pressed", "true");
  let opened;
  try {
    opened = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
  } catch {
    if (current !== opening) return;
    video.hidden = true;
    button.setAttribute("aria-pressed", "false");
    say("camera_failed");
    return;
  }
  if (current !== opening) {
    for (const track of opened.getTracks()) track.stop();
    return;
  }
  stream = opened;
  video.srcObject = stream;
  await video.play().catch(() => {});
  closeTimer = setTimeout(stop, openAtMostMs);
  frameTimer = setTimeout(() => readFrame(current), frameIntervalMs);
}

/** One frame to the agent; the next is taken only once this one is answered. */
async function readFrame(current) {
  if (current !== opening) return;
  const pixels = grayFrame();
  const symbols = pixels ? await api.decodeFrame(pixels, canvas.width, canvas.height).catch(() => []) : [];
  if (current !== opening) return;
  if (symbols.length > 0) {
    stop();
    onRead(symbols[0].text);
    return;
  }
  frameTimer = setTimeout(() => readFrame(current), frameIntervalMs);
}

/** The video's current frame at `frameWidth`, as one luminance byte a pixel (BT.601 weights). */
function grayFrame() {
  if (!video.videoWidth || !video.videoHeight) return null;
  canvas.width = frameWidth;
  canvas.height = Math.round((video.videoHeight * frameWidth) / video.videoWidth);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const gray = new Uint8Array(canvas.width * canvas.height);
  for (let pixel = 0, byte = 0; pixel < gray.length; pixel += 1, byte += 4) {
    gray[pixel] = (rgba[byte] * 77 + rgba[byte + 1] * 150 + rgba[byte + 2] * 29) >> 8;
  }
  return gray;
}

/** The caption under the video, kept in the page's language when it changes. */
function say(key) {
  hint.dataset.i18n = key;
  hint.textContent = t(key);
}
