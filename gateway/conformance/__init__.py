"""The provider conformance kit: behavioural checks of the content provider
protocol, run by ``karmayogi provider check`` and importable into pytest
(``gateway.conformance.pytest_plugin``)."""
