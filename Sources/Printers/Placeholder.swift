enum PrintersPlaceholder {}
