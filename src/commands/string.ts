import type { CommandSpec } from './registry.js';

export function stringCommands(): CommandSpec[] {
  return [];
}
