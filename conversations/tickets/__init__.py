"""The ticket: its lifecycle (``lifecycle``), the events it records (``events``), the desk's
policies and who is told what (``workflow``), and the one set of operations that change it
(``operations``), which the requester flow, the agent commands and the timers all call."""
