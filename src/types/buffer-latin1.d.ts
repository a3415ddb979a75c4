// Node's Buffer has fast latin1 helpers that @types/node does not declare. They are stable
// (used by Node's own string_decoder and by undici) and much faster than toString/write with
// an encoding argument on hot paths.
export {};
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(str: string, offset?: number, length?: number): number;
  }
}
