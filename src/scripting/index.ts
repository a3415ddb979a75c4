/**
 * Scripting: the one entry point that gives the server Lua. It builds the VM, the script cache
 * and the runner, registers EVAL/EVALSHA/SCRIPT, reports the INFO memory fields of scripting,
 * and starts the VM before the server accepts commands.
 */
import type { Server } from '../server.js';
import { LuaVm } from './lua-vm.js';
import { ScriptRunner } from './runner.js';
import { evalCommands, ScriptCache } from './eval.js';

/** Per-entry overhead 7.0 adds to a cached script (dict entry + luaScript + sds header of the SHA). */
const SCRIPT_ENTRY_OVERHEAD = 24 + 16 + 48;

export interface ScriptingMemory {
  vmEval: number;
  scriptsEval: number;
  cachedScripts: number;
}

export function installScripting(server: Server): void {
  const vm = new LuaVm();
  const cache = new ScriptCache(vm);
  const runner = new ScriptRunner(server, vm);
  server.commands.register(evalCommands({ vm, cache, runner, feedMonitors: (c, argv) => server.feedMonitors(c, argv) }));
  server.startupTasks.unshift(() => vm.start());
  server.scriptingMemory = (): ScriptingMemory => ({
    vmEval: vm.heapBytes(),
    scriptsEval: cache.bodyBytes + cache.scripts.size * SCRIPT_ENTRY_OVERHEAD,
    cachedScripts: cache.scripts.size,
  });
}
