import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    "Reject the RFC's update in the run that carries out the RFC",
    {
      id: 'reject',
      name: 'Reject the update',
      action: 'aws:ssm:reject-patch',
    },
  ),
];
