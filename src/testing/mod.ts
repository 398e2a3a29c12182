/**
 * A faithful in-process Ollama server for tests, offline demos and CI.
 *
 * - {@link FakeOllama}: installed models, a catalog of pullable ones with a download speed,
 *   pulls from registries as Ollama does them, partial downloads that resume, loads, the cloud
 *   routes, injectable faults, recorded requests; a web-standard handler and a drop-in `fetch`
 *   that needs no socket.
 * - {@link FakeRegistry}: the registry API a real (or the fake) Ollama pulls from, with speed
 *   limits, stalls, cuts and errors.
 * - {@link serveFakeOllama}: the same on a loopback port, under Deno, Bun or Node.
 * - {@link pullScript}: the exact lines a pull sends, pure, for property tests and benchmarks.
 * - {@link unusedLoopbackUrl}: an address where nothing listens (connection refused).
 *
 * @example Test startup code against a fake server on a real port
 * ```ts
 * import { FakeOllama, serveFakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
 * const server = await serveFakeOllama(fake);
 * try {
 *   const response = await fetch(`${server.url}/api/tags`);
 *   console.log(await response.json());
 * } finally {
 *   await server.close();
 * }
 * ```
 *
 * @module
 */

export {
  catalogCapabilities,
  catalogEntrySize,
  DEFAULT_CATALOG,
  type FakeCatalogEntry,
  fakeDigest,
  type FakeLayer,
  type FakeLayerEnding,
  MEDIA_TYPE_CONFIG,
  MEDIA_TYPE_LICENSE,
  MEDIA_TYPE_MODEL,
  MEDIA_TYPE_PARAMS,
  MEDIA_TYPE_PROJECTOR,
  MEDIA_TYPE_TEMPLATE,
  type ResolvedLayer,
  resolveLayers,
  smallCatalog,
} from "./catalog.ts";
export {
  type BackwardsFault,
  type CloseAfterFault,
  CONTROL_CHARS,
  type ControlCharsFault,
  ERROR_AFTER_MESSAGE,
  type ErrorAfterFault,
  FAKE_FAULT_KINDS,
  type FakeFault,
  type FakeFaultKind,
  type FakeFaultSelect,
  type HangFault,
  type HeadersThenSilenceFault,
  type HtmlFault,
  type HttpErrorFault,
  type HugeLineFault,
  MULTIBYTE_SUFFIX,
  NOT_JSON_LINE,
  type NotJsonLineFault,
  type NoTotalFault,
  type PlainTextFault,
  proxyErrorPage,
  type RepeatStallFault,
  type ResetAfterFault,
  type SplitChunksFault,
  type StallAfterFault,
  type SuccessNotListedFault,
  type TrickleFault,
  type V1ModelsNullFault,
  type WrongShapeFault,
} from "./faults.ts";
export {
  type FakeModelInit,
  FakeOllama,
  type FakeOllamaOptions,
  type FakeRequestOutcome,
  type FakeRequestRecord,
} from "./fake_ollama.ts";
export {
  DEFAULT_FAKE_VERSION,
  type FakeCloudAccount,
  type FakeCloudOptions,
  type FakeCloudUser,
  type FakeRegistryHandler,
  type FakeRunnerOptions,
} from "./fake_options.ts";
export {
  DEFAULT_STEP_BYTES,
  encodePullLine,
  encodePullLines,
  goJson,
  iteratePullScript,
  type PullBlobState,
  type PullLine,
  type PullLineValue,
  type PullLineWait,
  pullScript,
  type PullScriptOptions,
} from "./pull_script.ts";
export { FakeRegistry, type FakeRegistryOptions, registryModelName } from "./registry/registry.ts";
export {
  NEWER_VERSION_TEXT,
  type RegistryCutFault,
  type RegistryEndpoint,
  type RegistryFault,
  type RegistryFaultScope,
  type RegistryNewerVersionFault,
  type RegistryNoLocationFault,
  type RegistryStallFault,
  type RegistryStatusFault,
} from "./registry/faults.ts";
export {
  buildRegistryModel,
  type BuiltRegistryModel,
  cloudStub,
  DEFAULT_REGISTRY_MODELS,
  REGISTRY_MEDIA_TYPES,
  type RegistryLayer,
  type RegistryModelSpec,
  registryReference,
  seededBytes,
  sha256Digest,
} from "./registry/models.ts";
export type { RegistryRequestOutcome, RegistryRequestRecord } from "./registry/request_log.ts";
export { throttledBody, type ThrottleOptions, type ThrottleOutcome } from "./registry/throttle.ts";
export {
  type FakeHandler,
  type ServeBackend,
  type ServedFakeOllama,
  serveFakeOllama,
  type ServeFakeOllamaOptions,
  unusedLoopbackUrl,
} from "./serve.ts";

// `deno run -A src/testing/mod.ts --port 11434` (or `bun src/testing/mod.ts ...`) runs the fake
// server as a program; importers do not load that code.
if (import.meta.main) import("./standalone.ts").then(({ main }) => main());
