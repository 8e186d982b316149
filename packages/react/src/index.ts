export {
  SwitchyardContext,
  type SwitchyardContextValue,
  useSwitchyard,
  useSwitchyardContext,
} from "./context.js";
export {
  DEFAULT_UNSUBSCRIBE_GRACE,
  type Lease,
  registryOf,
  StoreRegistry,
  type StoreRegistryOptions,
} from "./registry.js";
export { SwitchyardProvider, type SwitchyardProviderProps } from "./switchyard-provider.js";
