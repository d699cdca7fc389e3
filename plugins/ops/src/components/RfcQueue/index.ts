export { RfcQueuePage } from './RfcQueuePage';
