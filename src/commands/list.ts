import type { CommandSpec } from './registry.js';

export function listCommands(): CommandSpec[] {
  return [];
}
