/**
 * Scripting: the one entry point that gives the server Lua. It builds the VM, the script cache,
 * the function libraries and the runner, registers EVAL/EVALSHA/SCRIPT and FUNCTION/FCALL,
 * lends the libraries to RDB saving and loading, reports the INFO memory fields of scripting,
 * and starts the VM before the server accepts commands.
 */
import type { Server } from '../server.js';
import type { ScriptVm } from './lua-vm.js';
import { ThreadedVm } from './vm-thread.js';
import { BusyScript } from './busy.js';
import { ScriptRunner } from './runner.js';
import { evalCommands, ScriptCache } from './eval.js';
import { FALLBACK_PENDING, FunctionRegistry } from './functions.js';
import { functionCommands } from './function-commands.js';
import { CompiledVm } from './compiled-vm.js';
import { installLdbDebug } from './ldb/index.js';

/** Per-entry overhead 7.0 adds to a cached script (dict entry + luaScript + sds header of the SHA). */
const SCRIPT_ENTRY_OVERHEAD = 24 + 16 + 48;

export interface ScriptingMemory {
  vmEval: number;
  scriptsEval: number;
  cachedScripts: number;
  functions: number;
  libraries: number;
  functionsBytes: number;
}

export function installScripting(server: Server): void {
  const threaded = new ThreadedVm();
  const busy = new BusyScript(server);
  threaded.busy = busy;
  const vm: ScriptVm = threaded;
  const runner = new ScriptRunner(server, vm, busy);
  // Scripts run compiled on this thread; the wasm VM (its thread) starts only for a script the
  // compiler leaves to it.
  const compiled = new CompiledVm(runner, busy);
  const cache = new ScriptCache(compiled, (line) => server.log.verbose(line));
  const registry = new FunctionRegistry(vm, compiled, threaded);
  // The MONITOR line is only built when someone listens.
  const feedMonitors = (c: Parameters<Server['exec']['feedMonitors']>[0], argv: string[]): void => {
    if (server.monitors.size > 0) server.exec.feedMonitors(c, argv);
  };
  server.commands.register(evalCommands({ vm, compiled, thread: threaded, busy, cache, runner, feedMonitors }));
  server.commands.register(
    functionCommands({ vm, compiled, thread: threaded, busy, registry, runner, feedMonitors, verifyChecksums: () => !server.persistence.skipChecksumValidation }),
  );
  installLdbDebug(server, { runner });
  server.startupTasks.unshift(() => compiled.start());
  server.closeTasks.push(() => threaded.close());
  server.rdbFunctions = {
    codes: () => registry.codes(),
    load: (codes, existing) => {
      if (existing === 'flush') registry.flush();
      const pending: string[] = [];
      for (const code of codes) {
        const made = registry.create(code, existing === 'merge');
        if (made === FALLBACK_PENDING) pending.push(code);
        else if (typeof made === 'string') throw new Error(`Failed loading library: ${made}`);
      }
      if (pending.length === 0) return;
      // Libraries the compiler leaves to the wasm VM wait for its thread; at startup the
      // server waits for them before taking commands (startup tasks run in order).
      const ready = new Promise<void>((resolve) =>
        threaded.onReady(() => {
          for (const code of pending) {
            const made = registry.create(code, existing === 'merge');
            if (typeof made === 'string') server.log.warning(`Failed loading library: ${made}`);
          }
          resolve();
        }),
      );
      server.startupTasks.push(() => ready);
    },
  };
  server.scriptingMemory = (): ScriptingMemory => ({
    vmEval: compiled.heapBytes(),
    scriptsEval: cache.bodyBytes + cache.scripts.size * SCRIPT_ENTRY_OVERHEAD,
    cachedScripts: cache.scripts.size,
    functions: registry.functions.size,
    libraries: registry.libraries.size,
    functionsBytes: registry.bytes(),
  });
}
