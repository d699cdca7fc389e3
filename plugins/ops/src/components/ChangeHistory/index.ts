export { ChangeHistoryPage } from './ChangeHistoryPage';
