import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    "Set the stack's backup schedule in the run that carries out the RFC",
    {
      id: 'backup',
      name: 'Set the backup schedule',
      action: 'aws:backup:set-schedule',
    },
  ),
];
