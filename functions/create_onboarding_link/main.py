"""POST /v1/vendors/me/payment-account/onboarding-link: where the vendor completes its
connected account at the payment provider (single use; 409 before it has one).

Trigger: HTTP. Settings: database, Firebase Auth, payment provider, PUBLIC_BASE_URL.
"""

import functions_framework

from common import bootstrap
from common.api import money_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.vendor_payouts import onboarding_link


@functions_framework.http
@endpoint(OPERATIONS["create_onboarding_link"])
def create_onboarding_link(call: Call):
    link = onboarding_link(call.principal.account_id, call.request_id,
                           uow=bootstrap.money_unit_of_work, payments=bootstrap.payments(),
                           public_base_url=bootstrap.settings().public_base_url)
    return present.onboarding_link(link)
