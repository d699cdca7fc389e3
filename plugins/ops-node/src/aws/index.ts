export { AwsClientFactory } from './AwsClientFactory';
export type {
  AwsClientConfig,
  AwsClientLocation,
  AwsClientOptions,
  AwsLocation,
  AwsServiceName,
} from './AwsClientFactory';
export {
  AwsCallError,
  AwsCredentialsError,
  callAws,
  describeAwsError,
} from './awsErrors';
