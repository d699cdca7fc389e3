export { ChangeTypeAllowedGroupsProcessor } from './ChangeTypeAllowedGroupsProcessor';
export {
  RELATION_REQUESTABLE_BY,
  createOpsCatalogConditionalDecision,
  isChangeTypeAllowedForRule,
  isNotRefusedChangeTypeRule,
  opsCatalogConditions,
} from './rules';
