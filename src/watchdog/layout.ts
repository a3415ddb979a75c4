/**
 * The memory the server thread and the watchdog thread share: the heartbeat and the last
 * command's start time (ms), then the last command's description as length + latin1 bytes.
 */
const TEXT_OFFSET = 16;
const TEXT_MAX = 240;

export interface WatchdogViews {
  /** [0] heartbeat ms, [1] start of the last command ms. */
  times: Float64Array;
  textLen: Int32Array;
  text: Uint8Array;
}

export function newShared(): SharedArrayBuffer {
  return new SharedArrayBuffer(TEXT_OFFSET + 4 + TEXT_MAX);
}

export function viewsOf(shared: SharedArrayBuffer): WatchdogViews {
  return {
    times: new Float64Array(shared, 0, 2),
    textLen: new Int32Array(shared, TEXT_OFFSET, 1),
    text: new Uint8Array(shared, TEXT_OFFSET + 4, TEXT_MAX),
  };
}
