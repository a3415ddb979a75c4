import type { CommandSpec } from './registry.js';

export function hashCommands(): CommandSpec[] {
  return [];
}
