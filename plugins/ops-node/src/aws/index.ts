export { AwsClientFactory } from './AwsClientFactory';
export type {
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
