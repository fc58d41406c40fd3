/** The booking's payment as a plain gRPC service that knows nothing of DTA (see proto/payment.proto). */
export {
  PlainPaymentServer,
  PAYMENT_PROTO_PATH,
  type SeenCall,
  type Disturbance,
} from './plain-payment.server';
export {
  PaymentLedger,
  LedgerRefusal,
  DECLINED_CARD,
  type LedgerPayment,
  type ChargeRequest,
  type ChargeReply,
  type RefundRequest,
  type RefundReply,
} from './payment-ledger';
