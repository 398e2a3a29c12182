/**
 * Which `Host` headers an Ollama bound to loopback accepts: its own machine's names and
 * addresses (the `rejectNonLocalHost` option).
 *
 * @module
 */

/**
 * Whether a `Host` header names this machine, by Ollama's rules for a loopback-bound server:
 * `localhost`, `*.localhost`, `*.local`, `*.internal`, loopback, private and unspecified
 * addresses.
 *
 * @param hostHeader The header, e.g. `localhost:11434` or `[::1]:11434`.
 * @returns `true` when local.
 */
export function isLocalHost(hostHeader: string): boolean {
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith("[")) {
    host = host.slice(1, host.indexOf("]") === -1 ? undefined : host.indexOf("]"));
  } else if (host.split(":").length === 2) {
    host = host.split(":")[0];
  }
  if (host === "" || host === "localhost") return true;
  if (/\.(localhost|local|internal)$/.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 !== null) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168);
  }
  if (host.includes(":")) {
    return host === "::1" || host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}
