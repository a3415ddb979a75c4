import type { CommandSpec } from './registry.js';

export function zsetCommands(): CommandSpec[] {
  return [];
}
