import type { CommandSpec } from './registry.js';

export function setCommands(): CommandSpec[] {
  return [];
}
