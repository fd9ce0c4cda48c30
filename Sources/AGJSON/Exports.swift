// Every module that reads JSON also reports errors: the error types of AGCore come with AGJSON.
@_exported import AGCore
