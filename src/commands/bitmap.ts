import type { CommandSpec } from './registry.js';

export function bitmapCommands(): CommandSpec[] {
  return [];
}
