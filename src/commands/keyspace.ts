import type { CommandSpec } from './registry.js';

export function keyspaceCommands(): CommandSpec[] {
  return [];
}
