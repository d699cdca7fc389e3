import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    "Install the RFC's update in the run that carries out the RFC",
    {
      id: 'apply',
      name: 'Install the update',
      action: 'aws:ssm:apply-patch',
    },
  ),
];
