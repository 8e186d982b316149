/**
 * The client library and its version, sent as `sdk` in every `connect` frame so the hub's
 * logs and the application's backend (a connect proxy) can tell clients apart. A test keeps it
 * equal to the package version.
 */
export const SDK_NAME = "@switchyard/client@0.1.0";
