export { StackEntityProvider } from './StackEntityProvider';
export type {
  StackEntityProviderOptions,
  StackTarget,
} from './StackEntityProvider';
