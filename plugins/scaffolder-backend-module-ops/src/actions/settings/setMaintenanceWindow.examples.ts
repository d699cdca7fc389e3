import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    "Set the stack's maintenance window in the run that carries out the RFC",
    {
      id: 'window',
      name: 'Set the maintenance window',
      action: 'aws:ssm:set-maintenance-window',
    },
  ),
];
