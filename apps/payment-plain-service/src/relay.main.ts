import { startService } from '@dta/booking';
import { PaymentRelayModule } from './payment-relay.module';

void startService(PaymentRelayModule, 'PaymentRelay');
