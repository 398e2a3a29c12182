// Expectations both conformance suites share. Not a test file.
import assert from "node:assert/strict";
import type { OllamaModelInfo } from "../../mod.ts";

/** The `/api/tags` fields of v2 as `listModels()` should carry them (camelCase, omitted when absent). */
export interface TagFields {
  capabilities?: string[];
  contextLength?: number;
  embeddingLength?: number;
  remoteModel?: string;
  remoteHost?: string;
}

/** Asserts the v2 fields of a listed model (read loosely, so this compiles before they exist). */
export function assertTagFields(listed: OllamaModelInfo, expected: TagFields): void {
  const fields = listed as unknown as Record<string, unknown>;
  const details = (listed.details ?? {}) as unknown as Record<string, unknown>;
  assert.deepEqual(
    {
      capabilities: fields.capabilities,
      contextLength: details.contextLength,
      embeddingLength: details.embeddingLength,
      remoteModel: fields.remoteModel,
      remoteHost: fields.remoteHost,
    },
    {
      capabilities: expected.capabilities,
      contextLength: expected.contextLength,
      embeddingLength: expected.embeddingLength,
      remoteModel: expected.remoteModel,
      remoteHost: expected.remoteHost,
    },
    `the v2 fields of ${listed.name}`,
  );
}

/** Asserts `listModels()` kept the server's name, digest and size of an `/api/tags` entry. */
export function assertListedAsServed(
  listed: OllamaModelInfo,
  raw: Readonly<Record<string, unknown>>,
): void {
  assert.deepEqual(
    { name: listed.name, digest: listed.digest, size: listed.size },
    { name: raw.name, digest: raw.digest, size: raw.size },
  );
}
