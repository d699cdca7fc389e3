import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    "Restore the stack from the RFC's recovery point in the run that carries out the RFC",
    {
      id: 'restore',
      name: 'Restore from the recovery point',
      action: 'aws:backup:restore',
    },
  ),
];
