from kamtrain.cli import main

main(prog_name="kamtrain")
