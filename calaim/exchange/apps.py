from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "calaim.exchange"
    label = "exchange"
    verbose_name = "Provider files (MIF, RTF, OTF), their loads and exports, and the state reports"

    def ready(self) -> None:
        # This app's configuration loads with the rest of the reference data (calaim.workflows, a layer below, may
        # not import it); the loaders are imported here, once the models are loaded.
        from calaim.exchange.encounters import ecm_code_rules_check  # models needed: after the apps are ready
        from calaim.exchange.report_reference import report_reference_load  # models needed: as above
        from calaim.exchange.vocabulary import exchange_reference_load  # as above
        from calaim.workflows.reference import reference_loader_register  # as above

        reference_loader_register(report_reference_load)
        reference_loader_register(exchange_reference_load)  # the provider files' value lists, checked
        reference_loader_register(ecm_code_rules_check)  # read where used; checked here so a bad file fails the load
