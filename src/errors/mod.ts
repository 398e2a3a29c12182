/**
 * Every error this package throws: one class per outcome, each with a stable `code` (see
 * {@link OllamaErrorCode}) that decides the command line's exit status.
 *
 * @module
 */

export * from "./ollama_error.ts";
export * from "./usage_error.ts";
export * from "./config_error.ts";
export * from "./invalid_model_name_error.ts";
export * from "./permission_error.ts";
export * from "./unreachable_error.ts";
export * from "./connection_error.ts";
export * from "./server_busy_error.ts";
export * from "./timeout_error.ts";
export * from "./not_ollama_error.ts";
export * from "./server_too_old_error.ts";
export * from "./protocol_error.ts";
export * from "./model_missing_error.ts";
export * from "./not_whitelisted_error.ts";
export * from "./cloud_unavailable_error.ts";
export * from "./outdated_error.ts";
export * from "./pull_failed_error.ts";
export * from "./lock_mismatch_error.ts";
export * from "./warm_failed_error.ts";
export * from "./interrupted_error.ts";
