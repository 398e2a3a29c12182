// The command line's pure parts, without a process: the argument parser, the checks on the
// arguments, the advice, the signal handling, the output's behaviour with a closed stream, the
// proxy environment, and the synchronous writer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { missingModelAdvice, noPullReason } from "../src/cli/advice.ts";
import { ArgvError, parseArgv } from "../src/cli/args.ts";
import { emptyResult } from "../src/cli/command.ts";
import { COMMANDS } from "../src/cli/commands/mod.ts";
import { deniedEnvWarning } from "../src/cli/env.ts";
import { parseCliArgs, wantsJson } from "../src/cli/flags.ts";
import { OPTIONS } from "../src/cli/options.ts";
import { Output } from "../src/cli/output.ts";
import { keepLoopbackOffProxy, proxyVariables } from "../src/cli/proxy_env.ts";
import { interruptOnSignals } from "../src/cli/signals.ts";
import { writeAllSync } from "../src/cli/write.ts";
import { InterruptedError, InvalidModelNameError, UsageError } from "../src/errors/mod.ts";
import { memorySink } from "../src/progress/sink.ts";

describe("parseArgv", () => {
  it("long options, values, repeats, short aliases and --", () => {
    const { values, positionals } = parseArgv(
      ["pull", "--host", "h", "--model=a", "--model", "b", "-V", "--json", "x", "--", "--quiet"],
      OPTIONS,
    );
    assert.deepEqual(values, { host: ["h"], model: ["a", "b"], version: true, json: true });
    assert.deepEqual(positionals, ["pull", "x", "--quiet"]);
  });

  it("a value may start with one dash; an option may not be a value", () => {
    assert.equal(parseArgv(["--timeout", "-1"], OPTIONS).values.timeout, "-1");
    assert.deepEqual(parseArgv(["--host="], OPTIONS).values.host, [""]);
    assert.throws(() => parseArgv(["--host", "--json"], OPTIONS), /--host needs a value/);
    assert.throws(() => parseArgv(["--host", "-h"], OPTIONS), /--host needs a value/);
    assert.throws(() => parseArgv(["--host"], OPTIONS), /--host needs a value: --host URL/);
  });

  it("unknown options and values given to switches", () => {
    assert.throws(() => parseArgv(["--hots"], OPTIONS), (error: unknown) => {
      assert.ok(error instanceof ArgvError);
      assert.equal(error.option, "--hots");
      assert.equal(error.unknown, true);
      return true;
    });
    assert.throws(() => parseArgv(["-x"], OPTIONS), /unknown option -x/);
    assert.throws(() => parseArgv(["--json=1"], OPTIONS), /--json takes no value/);
  });

  it("the last value of a single-value option wins", () => {
    assert.equal(parseArgv(["--timeout", "1", "--timeout", "2"], OPTIONS).values.timeout, "2");
  });
});

describe("parseCliArgs", () => {
  const run = (args: string[]) => {
    const request = parseCliArgs(args, COMMANDS);
    assert.equal(request.kind, "run");
    return (request as Extract<typeof request, { kind: "run" }>).flags;
  };

  it("the default command is ensure; help and version win over everything", () => {
    assert.equal(run([]).command.name, "ensure");
    assert.deepEqual(parseCliArgs(["chekc", "--help"], COMMANDS), { kind: "help", json: false });
    assert.deepEqual(parseCliArgs(["-V", "--json"], COMMANDS), { kind: "version", json: true });
  });

  it("suggests close matches", () => {
    assert.throws(() => parseCliArgs(["--hots", "x"], COMMANDS), /did you mean --host\?/);
    assert.throws(() => parseCliArgs(["chekc"], COMMANDS), /did you mean "check"\?/);
  });

  it("--timeout: decimal seconds in (0, MAX_TIMEOUT_SECS]", () => {
    assert.equal(run(["--timeout", "2.5"]).timeoutSecs, 2.5);
    assert.equal(run(["--timeout", " 7 "]).timeoutSecs, 7);
    for (const bad of ["1e306", "3000000", "0x10", "-1", "", "0", "1e3", "Infinity"]) {
      assert.throws(() => parseCliArgs(["--timeout", bad], COMMANDS), UsageError, bad);
    }
  });

  it("operands, refused options and invalid names, before any request", () => {
    assert.deepEqual(run(["pull", "a", "b"]).operands, ["a", "b"]);
    assert.throws(() => parseCliArgs(["pull"], COMMANDS), /pull needs at least 1 model name/);
    assert.throws(() => parseCliArgs(["check", "x"], COMMANDS), /--model NAME/);
    assert.throws(() => parseCliArgs(["pull", "a", "--no-pull"], COMMANDS), /pull does not take/);
    assert.throws(() => parseCliArgs(["pull", "a:"], COMMANDS), InvalidModelNameError);
    assert.throws(() => parseCliArgs(["--model", "a:"], COMMANDS), InvalidModelNameError);
    assert.throws(() => parseCliArgs(["--host", " "], COMMANDS), /--host needs a server address/);
  });

  it("wantsJson looks before --", () => {
    assert.equal(wantsJson(["--hots", "--json"]), true);
    assert.equal(wantsJson(["pull", "--", "--json"]), false);
  });
});

describe("advice for missing models", () => {
  const base = { check: false, noPull: false, autoPullOff: false, configSource: undefined };

  it("check: run ensure, or ollama pull each by its real name", () => {
    const cause = { ...base, check: true };
    assert.equal(noPullReason(cause), "check never pulls");
    assert.equal(
      missingModelAdvice(["a:latest", "b:1", "c:2"], cause),
      "Run `ensure` to pull them, or pull by hand: `ollama pull a:latest`, `ollama pull b:1` " +
        "and `ollama pull c:2`.",
    );
  });

  it("--no-pull and auto_pull = false: what to change, naming the file", () => {
    const cause = { ...base, noPull: true, autoPullOff: true, configSource: "x.toml" };
    assert.equal(noPullReason(cause), "--no-pull was given, and auto_pull = false in x.toml");
    assert.equal(
      missingModelAdvice(["a:latest"], cause),
      "Run without --no-pull and set auto_pull = true in x.toml to pull it, or pull by hand: " +
        "`ollama pull a:latest`.",
    );
    assert.doesNotMatch(missingModelAdvice(["a"], { ...base, noPull: true }), /auto_pull/);
  });
});

describe("interruptOnSignals", () => {
  function fakeHost() {
    const listeners = new Map<string, () => void>();
    const exits: number[] = [];
    return {
      listeners,
      exits,
      onSignal(signal: string, listener: () => void) {
        listeners.set(signal, listener);
        return () => listeners.delete(signal);
      },
      exit(code: number): never {
        exits.push(code);
        throw new Error("exit");
      },
    };
  }

  it("the first signal aborts with an InterruptedError naming it; the second exits at once", () => {
    const host = fakeHost();
    const controller = new AbortController();
    let restored = 0;
    const stop = interruptOnSignals(host, controller, () => restored++);
    assert.deepEqual([...host.listeners.keys()], ["SIGINT", "SIGTERM", "SIGHUP"]);
    host.listeners.get("SIGTERM")!();
    const reason = controller.signal.reason;
    assert.ok(reason instanceof InterruptedError);
    assert.equal(reason.signal, "SIGTERM");
    assert.equal(reason.exitCode, 143);
    assert.deepEqual(host.exits, []);
    assert.throws(() => host.listeners.get("SIGHUP")!(), /exit/);
    assert.equal(restored, 1);
    assert.deepEqual(host.exits, [129]);
    stop();
    assert.equal(host.listeners.size, 0);
  });
});

describe("Output", () => {
  it("a stream that throws is left alone; the outcome's code still comes back", () => {
    let stdoutCalls = 0;
    const stderr = memorySink();
    const output = new Output({
      stdout: () => {
        stdoutCalls++;
        throw Object.assign(new Error("broken pipe"), { code: "EPIPE" });
      },
      stderr,
      noColor: true,
    }, { json: true, quiet: false });
    output.stdout("a\n");
    output.event({ type: "x" });
    assert.equal(output.finish(emptyResult(new UsageError("bad"))), 2);
    assert.equal(stdoutCalls, 1);
    assert.equal(stderr.text(), "error: bad\n");
  });

  it("the error, then the hint, on one line; ready once", () => {
    const stderr = memorySink();
    const output = new Output({ stdout: () => {}, stderr, noColor: true }, {
      json: false,
      quiet: false,
    });
    output.finish(emptyResult(new UsageError("unknown option --x")), "Run with --help.");
    output.finish({ ...emptyResult(null), present: ["a:latest"] });
    assert.equal(stderr.text(), "error: unknown option --x. Run with --help.\nready: a:latest\n");
  });

  it("colour only on a terminal without NO_COLOR", () => {
    const tty = memorySink({ isTerminal: true });
    new Output({ stdout: () => {}, stderr: tty, noColor: false }, { json: false, quiet: false })
      .finish(emptyResult(null));
    assert.equal(tty.text(), "\x1b[32mready\x1b[0m\n");
    const noColor = memorySink({ isTerminal: true });
    new Output({ stdout: () => {}, stderr: noColor, noColor: true }, { json: false, quiet: false })
      .finish(emptyResult(null));
    assert.equal(noColor.text(), "ready\n");
  });
});

describe("proxy variables", () => {
  it("only a set proxy counts; NO_PROXY alone is no proxy", () => {
    assert.equal(proxyVariables({ NO_PROXY: "x" }), undefined);
    assert.equal(proxyVariables({ HTTP_PROXY: " " }), undefined);
    assert.deepEqual(proxyVariables({ all_proxy: "http://p:1", no_proxy: "x" }), {
      all_proxy: "http://p:1",
      no_proxy: "x",
    });
  });

  it("loopback targets extend NO_PROXY and no_proxy; remote ones leave them", () => {
    const set: [string, string][] = [];
    const env = { HTTP_PROXY: "http://p:1", NO_PROXY: "corp" };
    const updated = keepLoopbackOffProxy(
      ["http://127.0.0.1:11434"],
      env,
      (n, v) => set.push([n, v]),
    );
    assert.deepEqual(set, [
      ["NO_PROXY", "corp,localhost,127.0.0.1,::1,[::1]"],
      ["no_proxy", "localhost,127.0.0.1,::1,[::1]"],
    ]);
    assert.equal(updated.NO_PROXY, "corp,localhost,127.0.0.1,::1,[::1]");
    set.length = 0;
    assert.equal(keepLoopbackOffProxy(["http://gpu:11434"], env, (n, v) => set.push([n, v])), env);
    assert.deepEqual(set, []);
  });

  it("when setting is refused, the variables stay as they are", () => {
    const env = { HTTP_PROXY: "http://p:1" };
    const updated = keepLoopbackOffProxy(["http://localhost:1"], env, () => {
      throw new Error("NotCapable");
    });
    assert.deepEqual(updated, env);
  });

  it("the warning about unreadable variables only when they matter", () => {
    const denied = ["OLLAMA_HOST", "OLLAMA_BASE_URL", "HTTP_PROXY", "NO_PROXY"];
    assert.equal(
      deniedEnvWarning(denied, { defaultAddress: false, loopbackFailure: false }),
      undefined,
    );
    assert.match(
      deniedEnvWarning(denied, { defaultAddress: true, loopbackFailure: false })!,
      /OLLAMA_HOST and OLLAMA_BASE_URL .*--allow-env=OLLAMA_HOST,OLLAMA_BASE_URL$/,
    );
    assert.match(
      deniedEnvWarning(denied, { defaultAddress: false, loopbackFailure: true })!,
      /proxy variables .*--allow-env=HTTP_PROXY,NO_PROXY$/,
    );
  });
});

describe("writeAllSync", () => {
  it("continues partial writes and waits out EAGAIN", () => {
    const out: number[] = [];
    let calls = 0;
    writeAllSync((bytes) => {
      calls++;
      if (calls === 2) throw Object.assign(new Error("again"), { code: "EAGAIN" });
      out.push(...bytes.subarray(0, 2));
      return Math.min(2, bytes.length);
    }, "hello");
    assert.equal(new TextDecoder().decode(new Uint8Array(out)), "hello");
    assert.equal(calls, 4);
  });

  it("throws other errors at once", () => {
    assert.throws(
      () =>
        writeAllSync(() => {
          throw Object.assign(new Error("broken pipe"), { code: "EPIPE" });
        }, "x"),
      /broken pipe/,
    );
  });
});
