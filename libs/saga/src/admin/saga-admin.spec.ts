import { describeSagaAdmin } from './saga-admin.scenarios';

describeSagaAdmin('memory transport and store', () => ({}));
